/**
 * Getting an agent's attention while the tab is in the background: the unread count in the title,
 * a short tone, and a desktop notification (when the agent allowed them).
 */

/** `(3) Kefu 客服工作台`; the bare title when nothing is unread. */
export function titleWithUnread(base: string, unread: number): string {
  if (unread <= 0) return base;
  return `(${unread > 99 ? '99+' : unread}) ${base}`;
}

let audio: AudioContext | null = null;

/** A short two-note chime; silent when the browser refuses audio before any user gesture. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.12, 1320]] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.25);
    }
  } catch {
    // No audio device or autoplay refused: the title and the desktop notification still tell.
  }
}

/** Asks once, on a user gesture, so later notifications can show. */
export function requestNotificationPermission(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}

/** A desktop notification for one event; a click brings the console back and opens the conversation. */
export function notifyDesktop(title: string, body: string, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const notification = new Notification(title, { body, tag: 'kefu', silent: true });
  notification.onclick = () => {
    focus();
    onClick();
    notification.close();
  };
}
