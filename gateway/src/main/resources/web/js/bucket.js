// A token bucket: `rate` tokens a second, at most `burst` kept. The same rule the gateway applies to frames; the
// page paces what it sends to the server with one, and limits what a peer's page may send it straight with another.
export class TokenBucket {
  constructor(tokens) {
    this.tokens = tokens;
    this.at = performance.now();
  }

  // Adds what the time since the last call earned; returns the tokens there are now.
  refill(rate, burst) {
    const now = performance.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) / 1000) * rate);
    this.at = now;
    return this.tokens;
  }

  // Takes one token if there is one.
  take(rate, burst) {
    if (this.refill(rate, burst) < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
