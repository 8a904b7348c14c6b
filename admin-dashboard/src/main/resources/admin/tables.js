// The three tables: connections, rooms (with their members) and servers. Rows are keyed and updated in
// place; action buttons carry what the action needs in data-* attributes (app.js handles the clicks).

import {attr, el, reconcile, text} from './dom.js';
import {count, duration, iso, time} from './format.js';

function cell(row, i) {
    return row.cells[i];
}

function search(...parts) {
    return parts.flat().filter((p) => p !== null && p !== undefined).join(' ').toLowerCase();
}

// What a button acts on goes in data-target-* attributes, not in data-room or data-peer-id: those mark the table's
// rows (ui-contract.md), and a selector for them must not also find the buttons inside.
function button(label, action, target, testid) {
    const b = el('button', {type: 'button', class: 'act ' + action, 'data-action': action, 'data-testid': testid});
    for (const [k, v] of Object.entries(target)) {
        b.dataset['target' + k[0].toUpperCase() + k.slice(1)] = v;
    }
    b.textContent = label;
    return b;
}

export class Tables {
    constructor(readonly) {
        this.readonly = readonly;
        this.query = '';
        this.socketsTable = document.getElementById('sockets-table');
        this.roomsTable = document.getElementById('rooms-table');
        this.serversTable = document.getElementById('servers-table');
        this.socketRows = new Map();
        this.roomGroups = new Map();
        this.serverRows = new Map();
        this.collapsed = new Set();
        this.roomsTable.addEventListener('click', (event) => {
            const toggle = event.target.closest('button[data-action="toggle"]');
            if (toggle) {
                const room = toggle.dataset.targetRoom;
                if (this.collapsed.has(room)) {
                    this.collapsed.delete(room);
                } else {
                    this.collapsed.add(room);
                }
                this.applyFilter();
            }
        });
    }

    /** Which rows show: those whose text contains the filter (room groups: the room or any member). */
    filter(query) {
        this.query = query.trim().toLowerCase();
        this.applyFilter();
    }

    applyFilter() {
        const q = this.query;
        for (const row of this.socketRows.values()) {
            attr(row, 'hidden', q !== '' && !row.dataset.search.includes(q));
        }
        for (const row of this.serverRows.values()) {
            attr(row, 'hidden', q !== '' && !row.dataset.search.includes(q));
        }
        for (const [room, group] of this.roomGroups) {
            attr(group, 'hidden', q !== '' && !group.dataset.search.includes(q));
            const expanded = !this.collapsed.has(room);
            for (const member of group.querySelectorAll('tr.member')) {
                attr(member, 'hidden', !expanded);
            }
            const toggle = group.querySelector('button[data-action="toggle"]');
            attr(toggle, 'aria-expanded', expanded ? 'true' : 'false');
            text(toggle, expanded ? '▾' : '▸');
        }
    }

    sockets(list) {
        const body = this.socketsTable.tBodies[0];
        reconcile(body, list, (s) => s.peerId, (s) => {
            const row = el('tr', {'data-peer-id': s.peerId});
            for (let i = 0; i < 6; i++) {
                row.append(el('td'));
            }
            cell(row, 1).className = 'mono';
            const actions = el('td', {class: 'action'});
            if (!this.readonly) {
                actions.append(button('Disconnect', 'disconnect', {peerId: s.peerId}, 'disconnect'));
            }
            row.append(actions);
            return row;
        }, (row, s) => {
            text(cell(row, 0), s.nickname || '—');
            text(cell(row, 1), s.peerId);
            text(cell(row, 2), s.gateway);
            text(cell(row, 3), (s.rooms || []).join(', '));
            text(cell(row, 4), s.remote);
            attr(cell(row, 4), 'title', s.userAgent);
            text(cell(row, 5), time(s.connectedSince));
            attr(cell(row, 5), 'title', iso(s.connectedSince));
            row.dataset.search = search(s.nickname, s.peerId, s.gateway, s.rooms, s.remote, s.userAgent);
            const b = row.querySelector('button[data-action="disconnect"]');
            if (b) {
                b.dataset.nickname = s.nickname || s.peerId;
            }
        }, this.socketRows);
        text(document.getElementById('sockets-count'), list.length);
        attr(document.getElementById('sockets-empty'), 'hidden', list.length > 0);
        this.applyFilter();
    }

    rooms(list) {
        reconcile(this.roomsTable, list, (r) => r.name, (r) => {
            const group = el('tbody', {class: 'room-group'});
            const row = el('tr', {class: 'room', 'data-room': r.name});
            const name = el('td', {class: 'room-name'},
                el('button', {type: 'button', class: 'toggle', 'data-action': 'toggle', 'data-target-room': r.name,
                    'aria-expanded': 'true', 'aria-label': 'Show or hide members'}, '▾'),
                el('span', {class: 'name'}),
                el('span', {class: 'badge private', hidden: true}, 'private'));
            row.append(name, el('td'), el('td'), el('td'), el('td'));
            const actions = el('td', {class: 'action'});
            if (!this.readonly) {
                actions.append(
                    button('Lock', 'lock', {room: r.name}, 'lock'),
                    button('Close', 'close', {room: r.name}, 'close-room'));
            }
            row.append(actions);
            group.append(row);
            group.memberRows = new Map();
            return group;
        }, (group, r) => {
            const row = group.rows[0];
            text(row.querySelector('.name'), r.name);
            attr(row.querySelector('.badge.private'), 'hidden', !r.private);
            attr(row, 'data-count', r.count);
            text(cell(row, 1), r.count);
            text(cell(row, 2), r.capacity === undefined ? '–' : r.capacity);
            text(cell(row, 3), r.locked === undefined ? '–' : r.locked ? 'locked' : 'open');
            text(cell(row, 4), r.created ? time(r.created) : '–');
            attr(cell(row, 4), 'title', iso(r.created));
            const lock = row.querySelector('button[data-action="lock"]');
            if (lock) {
                lock.dataset.lock = r.locked ? 'false' : 'true'; // what a click asks for
                attr(lock, 'aria-pressed', r.locked ? 'true' : 'false');
                text(lock, r.locked ? 'Unlock' : 'Lock');
            }
            attr(row, 'data-locked', r.locked ? 'true' : 'false');
            reconcile(group, r.members, (m) => m.peerId, (m) => {
                const member = el('tr', {class: 'member', 'data-peer-id': m.peerId, 'data-member-of': r.name});
                member.append(
                    el('td', {class: 'member-name'}, el('span', {class: 'name'}),
                        el('span', {class: 'badge away', hidden: true}, 'away')),
                    el('td', {class: 'mono'}), el('td', {class: 'media'}), el('td', {class: 'hand'}), el('td'));
                const actions = el('td', {class: 'action'});
                if (!this.readonly) {
                    actions.append(button('Kick', 'kick', {room: r.name, peerId: m.peerId}, 'kick'));
                }
                member.append(actions);
                return member;
            }, (member, m) => {
                text(member.querySelector('.name'), m.nickname);
                attr(member.querySelector('.badge.away'), 'hidden', !m.away);
                text(cell(member, 1), m.peerId);
                const media = m.media || {};
                text(cell(member, 2), ['mic ' + (media.audio ? 'on' : 'off'), 'camera ' + (media.video ? 'on' : 'off')]
                    .concat(media.screen ? ['sharing screen'] : []).join(' · '));
                attr(member, 'data-audio', media.audio ? 'on' : 'off');
                attr(member, 'data-video', media.video ? 'on' : 'off');
                // Raised hands (a server time) arrive with the hand feature; shown when present.
                text(cell(member, 3), m.hand ? '✋ since ' + time(m.hand) : '');
                attr(member, 'data-hand', m.hand ? 'up' : 'down');
                const kick = member.querySelector('button[data-action="kick"]');
                if (kick) {
                    kick.dataset.nickname = m.nickname || m.peerId;
                }
            }, group.memberRows, row);
            group.dataset.search = search(r.name, r.members.map((m) => [m.nickname, m.peerId]));
        }, this.roomGroups, this.roomsTable.tHead);
        text(document.getElementById('rooms-count'), list.length);
        attr(document.getElementById('rooms-empty'), 'hidden', list.length > 0);
        this.applyFilter();
    }

    servers(list) {
        const body = this.serversTable.tBodies[0];
        reconcile(body, list, (s) => s.instance, (s) => {
            const row = el('tr', {'data-instance': s.instance});
            for (let i = 0; i < 7; i++) {
                row.append(el('td'));
            }
            cell(row, 0).className = 'mono';
            return row;
        }, (row, s) => {
            text(cell(row, 0), s.instance);
            text(cell(row, 1), s.kind);
            text(cell(row, 2), s.health);
            attr(cell(row, 2), 'class', 'health ' + s.health);
            attr(row, 'data-health', s.health);
            text(cell(row, 3), duration(s.uptimeMs));
            text(cell(row, 4), count(s.connections));
            text(cell(row, 5), s.version);
            text(cell(row, 6), time(s.lastSeen));
            attr(cell(row, 6), 'title', iso(s.lastSeen));
            row.dataset.search = search(s.instance, s.kind, s.health, s.version);
        }, this.serverRows);
        text(document.getElementById('servers-count'), list.length);
        attr(document.getElementById('servers-empty'), 'hidden', list.length > 0);
        this.applyFilter();
    }
}
