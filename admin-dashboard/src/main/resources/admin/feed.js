// The events feed: newest first, live, one item per event with data-kind and a time; checkboxes filter by kind.

import {attr, el, text} from './dom.js';
import {iso, time} from './format.js';

const KINDS = ['join', 'leave', 'kick', 'lock', 'close', 'disconnect', 'gateway_death', 'login', 'notice'];
const LABELS = {gateway_death: 'gateway death'};
const MAX_ITEMS = 500;

/** What happened, in words (every value is text, never HTML). */
function describe(e) {
    const who = e.nickname ? `${e.nickname} (${e.peerId})` : e.peerId;
    const by = e.user ? ` by ${e.user}` : '';
    const failed = e.result && e.result !== 'ok' ? ` refused: ${e.result}` : '';
    switch (e.kind) {
    case 'join': return `${who} joined “${e.room}”`;
    case 'leave': return `${who} left “${e.room}”`;
    case 'kick': return `${who || '?'} removed from “${e.room || '?'}”${by}${failed}`;
    case 'lock': return `“${e.room || '?'}” ${e.action === 'unlock' ? 'unlocked' : 'locked'}${by}${failed}`;
    case 'close': return `“${e.room || '?'}” closed${by}${failed}`;
    case 'disconnect': return e.user ? `${who || '?'} disconnected${by}${failed}`
        : `${who} lost its connection (${e.node})`;
    case 'gateway_death': return `gateway ${e.node} died: ${e.text}`;
    case 'login': return `${e.user} ${e.action === 'logout' ? 'signed out' : 'signed in'} from ${e.remote}${failed}`;
    case 'notice': return `announcement to ${e.room ? '“' + e.room + '”' : 'everyone'}${by}${failed}`;
    default: return e.kind;
    }
}

export class Feed {
    constructor(list, filters, empty) {
        this.list = list;
        this.empty = empty;
        this.seen = new Set();
        this.hidden = new Set();
        for (const kind of KINDS) {
            const box = el('input', {type: 'checkbox', checked: true, 'data-kind-filter': kind});
            box.addEventListener('change', () => {
                if (box.checked) {
                    this.hidden.delete(kind);
                } else {
                    this.hidden.add(kind);
                }
                this.applyFilter();
            });
            filters.append(el('label', {}, box, ' ' + (LABELS[kind] || kind)));
        }
    }

    /** Items newest first by arrival, as the server sends them; those already shown are skipped. */
    add(items) {
        for (const e of items.slice().reverse()) {
            const key = `${e.seq}`;
            if (this.seen.has(key)) {
                continue;
            }
            this.seen.add(key);
            const item = el('li', {'data-kind': e.kind, 'data-seq': e.seq, 'data-ts': e.ts},
                el('time', {datetime: iso(e.ts)}, time(e.ts)),
                el('span', {class: 'kind'}, LABELS[e.kind] || e.kind),
                el('span', {class: 'what'}, describe(e)));
            if (e.room) {
                item.dataset.room = e.room;
            }
            if (e.peerId) {
                item.dataset.peerId = e.peerId;
            }
            attr(item, 'hidden', this.hidden.has(e.kind));
            // Newest first by time: events from several services can arrive a little out of their time order.
            let next = this.list.firstElementChild;
            while (next && Number(next.dataset.ts) > e.ts) {
                next = next.nextElementSibling;
            }
            this.list.insertBefore(item, next);
        }
        while (this.list.children.length > MAX_ITEMS) {
            this.list.lastElementChild.remove();
        }
        attr(this.empty, 'hidden', this.list.children.length > 0);
    }

    applyFilter() {
        for (const item of this.list.children) {
            attr(item, 'hidden', this.hidden.has(item.dataset.kind));
        }
    }
}
