// The public room list on the home page: `list_rooms {watch: true}` for the first picture, then
// `rooms_changed` deltas (changed or new entries, removed names, total).
import { el } from './ui.js';

const LIMIT = 50;

export class RoomList {
  // onPick(name) when a room is chosen.
  constructor({ conn, list, empty, total, onPick }) {
    this.conn = conn;
    this.list = list;
    this.empty = empty;
    this.totalNode = total;
    this.onPick = onPick;
    this.rooms = new Map(); // name -> {name, count, capacity, locked}
    this.total = 0;
    conn.on('rooms_changed', (delta) => this.#apply(delta));
  }

  // Starts (or restarts, after a reconnect or leaving a room) the live list.
  async watch() {
    const reply = await this.conn.request('list_rooms', { watch: true, limit: LIMIT });
    this.rooms = new Map((reply.rooms ?? []).map((room) => [room.name, room]));
    this.total = reply.total ?? this.rooms.size;
    this.#render();
  }

  #apply({ rooms = [], removed = [], total }) {
    for (const room of rooms) this.rooms.set(room.name, room);
    for (const name of removed) this.rooms.delete(name);
    if (typeof total === 'number') this.total = total;
    this.#render();
  }

  #render() {
    const sorted = [...this.rooms.values()]
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
      .slice(0, LIMIT);
    // Rebuilt at most once a second; keep keyboard focus on the room it was on.
    const focused = document.activeElement?.closest?.('li[data-room]')?.dataset.room;
    this.list.replaceChildren(...sorted.map((room) => this.#item(room)));
    if (focused !== undefined) {
      [...this.list.children].find((li) => li.dataset.room === focused)?.querySelector('button')?.focus();
    }
    this.empty.hidden = sorted.length > 0;
    this.totalNode.textContent = this.total > sorted.length ? `(${sorted.length} of ${this.total})` : '';
  }

  #item(room) {
    const full = room.capacity && room.count >= room.capacity;
    const button = el('button', {
      type: 'button',
      class: 'room-pick',
      title: room.locked ? 'Locked by an operator' : full ? 'Full' : `Join ${room.name}`,
    },
    el('span', { class: 'room-name', text: room.name }),
    el('span', { class: 'room-count', text: room.capacity ? `${room.count}/${room.capacity}` : String(room.count) }),
    room.locked ? el('span', { class: 'badge', text: 'Locked' }) : '');
    button.addEventListener('click', () => this.onPick(room.name));
    return el('li', { dataset: { room: room.name, count: String(room.count) }, class: full ? 'full' : null }, button);
  }
}
