// What a mesh can carry, and how well each connection carries it.
// In a mesh every participant encodes and uploads one copy of its video per other participant, so each
// copy gets smaller as the room grows. Capture stays at 640x360 (media.js); senders scale it down.

// people in the room (self included) -> per-sender encoding parameters (RTCRtpEncodingParameters)
export function sendingProfile(people, screen) {
  if (screen) {
    // Text must stay sharp: keep the resolution, give up frame rate.
    return { maxBitrate: people <= 3 ? 1_200_000 : 600_000, maxFramerate: people <= 3 ? 15 : 8, scaleResolutionDownBy: 1 };
  }
  if (people <= 3) return { maxBitrate: 800_000, maxFramerate: 24, scaleResolutionDownBy: 1 };    // 640x360
  if (people === 4) return { maxBitrate: 450_000, maxFramerate: 20, scaleResolutionDownBy: 1.5 }; // 426x240
  if (people <= 6) return { maxBitrate: 280_000, maxFramerate: 15, scaleResolutionDownBy: 2 };    // 320x180
  return { maxBitrate: 180_000, maxFramerate: 12, scaleResolutionDownBy: 2 };
}

// Loss (0..1) and round trip (seconds) -> good / fair / poor, roughly as Meet's bars: a few percent loss
// or a few hundred milliseconds is noticeable, ten percent or most of a second is bad.
export function classify(loss, rtt) {
  if (loss >= 0.1 || rtt >= 0.8) return 'poor';
  if (loss >= 0.03 || rtt >= 0.3) return 'fair';
  return 'good';
}

// Measures one RTCPeerConnection: packet loss of what we receive since the last sample, and the round trip
// of the selected candidate pair.
export class LinkStats {
  constructor() {
    this.received = 0;
    this.lost = 0;
  }

  async sample(pc) {
    const report = await pc.getStats();
    let received = 0;
    let lost = 0;
    let rtt = null;
    let remoteLoss = null;
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        received += s.packetsReceived ?? 0;
        lost += Math.max(0, s.packetsLost ?? 0);
      } else if (s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') {
        remoteLoss = Math.max(remoteLoss ?? 0, s.fractionLost); // what the far side loses of ours
      } else if (s.type === 'transport' && s.selectedCandidatePairId) {
        rtt = byId.get(s.selectedCandidatePairId)?.currentRoundTripTime ?? rtt;
      }
    });
    const dReceived = received - this.received;
    const dLost = lost - this.lost;
    this.received = received;
    this.lost = lost;
    const loss = Math.max(dLost > 0 ? dLost / (dReceived + dLost) : 0, remoteLoss ?? 0);
    return { loss, rtt: rtt ?? 0, quality: classify(loss, rtt ?? 0) };
  }
}
