// Keeps a phone's screen on during a call (Screen Wake Lock API). The browser releases the lock whenever
// the page is hidden, so it is taken again when the page is visible again, for as long as it is wanted.

export class WakeLock {
  constructor() {
    this.wanted = false;
    this.sentinel = null;
    document.addEventListener('visibilitychange', () => {
      if (this.wanted && document.visibilityState === 'visible' && !this.sentinel) this.#request();
    });
  }

  acquire() {
    this.wanted = true;
    if (!this.sentinel) this.#request();
  }

  release() {
    this.wanted = false;
    const sentinel = this.sentinel;
    this.sentinel = null;
    sentinel?.release().catch(() => {});
  }

  async #request() {
    if (!navigator.wakeLock?.request || document.visibilityState !== 'visible') return;
    try {
      const sentinel = await navigator.wakeLock.request('screen');
      if (!this.wanted) {
        sentinel.release().catch(() => {});
        return;
      }
      this.sentinel = sentinel;
      sentinel.addEventListener('release', () => {
        if (this.sentinel === sentinel) this.sentinel = null;
      });
    } catch (err) {
      // Refused (battery saver, no user gesture, unsupported): the call works without it.
      console.debug('huddle: no screen wake lock', err?.name);
    }
  }
}
