// The operator's dashboard: sign-in, live totals and chart, the three tables, the operator's actions.

import * as api from './api.js';
import {Chart} from './chart.js';
import {Feed} from './feed.js';
import {attr, el, text} from './dom.js';
import {count, iso, rate} from './format.js';
import {Tables} from './tables.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;
const STALE_MS = 5000;

let session = null; // {user, readonly}
let tables = null;
let charts = null;
let feed = null;
let live = null;

function showLogin(message) {
    session = null;
    attr($('account'), 'hidden', true);
    attr($('dashboard'), 'hidden', true);
    attr($('login-view'), 'hidden', false);
    text($('login-error'), message || '');
    $('login-user').focus();
}

async function enter(me) {
    session = me;
    attr($('login-view'), 'hidden', true);
    attr($('account'), 'hidden', false);
    attr($('dashboard'), 'hidden', false);
    text($('user-name'), me.user);
    attr($('readonly-badge'), 'hidden', !me.readonly);
    attr($('notice-form'), 'hidden', me.readonly);
    document.body.classList.toggle('readonly', me.readonly);
    if (!tables) {
        tables = new Tables(me.readonly);
    }
    if (!charts) {
        charts = [
            new Chart($('chart'), [
                {field: 'connections', color: '--series-connections', fallback: '#2f80ed', least: 1},
                {field: 'messagesPerSecond', color: '--series-rate', fallback: '#eb5757', least: 0.5}]),
            new Chart($('chart-joins'), [
                {field: 'joinsPerMinute', color: '--series-joins', fallback: '#1e8e4f', least: 1}]),
            new Chart($('chart-latency'), [
                {field: 'relayMs', color: '--series-latency', fallback: '#8a4fd1', least: 1}]),
        ];
    }
    if (!feed) {
        feed = new Feed($('events-log'), $('events-filter'), $('events-empty'));
    }
    try {
        const history = await api.history();
        charts.forEach((c) => c.load(history));
    } catch (e) {
        // the charts fill up from the live updates
    }
    live = new Live();
    live.start();
}

function signedOut() {
    if (live) {
        live.stop();
        live = null;
    }
    showLogin('Your sign-in has ended. Please sign in again.');
}

function overview(o) {
    text($('stat-connections'), count(o.connections));
    text($('stat-rooms'), count(o.rooms));
    text($('stat-members'), count(o.members));
    text($('stat-gateways'), count(o.gateways));
    text($('stat-services'), count(o.services));
    text($('stat-rate'), rate(o.messagesPerSecond));
    const sample = {ts: o.ts, connections: o.connections, messagesPerSecond: o.messagesPerSecond ?? null,
        joinsPerMinute: o.joinsPerMinute ?? null, relayMs: o.relayMs ?? null};
    charts.forEach((c) => c.add(sample));
}

/**
 * Live updates: the server's event stream; when it is silent for a while (a proxy that buffers it, an old
 * browser), polling every two seconds until events flow again.
 */
class Live {
    constructor() {
        this.source = null;
        this.lastEvent = 0;
        this.timer = null;
        this.polling = false;
        this.stopped = false;
    }

    start() {
        this.connect();
        this.lastEvent = Date.now();
        this.timer = setInterval(() => this.check(), 1000);
    }

    connect() {
        const source = api.events();
        this.source = source;
        const on = (name, handle) => source.addEventListener(name, (event) => {
            this.lastEvent = Date.now();
            this.state(true);
            handle(JSON.parse(event.data));
        });
        on('overview', overview);
        on('sockets', (list) => tables.sockets(list));
        on('rooms', (list) => tables.rooms(list));
        on('servers', (list) => tables.servers(list));
        on('feed', (items) => feed.add(items));
        source.addEventListener('error', () => {
            if (source.readyState === EventSource.CLOSED) {
                // Refused (signed out?) or not an event stream: find out, then poll until a retry works.
                this.source = null;
                this.checkSignIn();
            }
        });
    }

    async checkSignIn() {
        try {
            if (!(await api.me())) {
                signedOut();
            }
        } catch (e) {
            this.state(false);
        }
    }

    async check() {
        if (this.stopped || Date.now() - this.lastEvent < STALE_MS) {
            return;
        }
        if (!this.source && Date.now() - this.lastEvent > 10 * STALE_MS) {
            this.connect(); // try the stream again now and then
        }
        if (this.polling) {
            return;
        }
        this.polling = true;
        try {
            const [o, sockets, rooms, servers, items] = await Promise.all([
                api.overview(), api.sockets(), api.rooms(), api.servers(), api.feed()]);
            if (this.stopped) {
                return;
            }
            overview(o);
            tables.sockets(sockets);
            tables.rooms(rooms);
            tables.servers(servers);
            feed.add(items);
            text($('live'), 'polling');
            attr($('live'), 'data-state', 'polling');
        } catch (e) {
            if (e.status === 401) {
                signedOut();
            } else {
                this.state(false);
            }
        } finally {
            // Poll again after POLL_MS rather than at every check.
            setTimeout(() => {
                this.polling = false;
            }, POLL_MS - 1000);
        }
    }

    state(ok) {
        text($('live'), ok ? 'live' : 'offline');
        attr($('live'), 'data-state', ok ? 'live' : 'offline');
    }

    stop() {
        this.stopped = true;
        clearInterval(this.timer);
        if (this.source) {
            this.source.close();
        }
    }
}

function flash(message, error = false) {
    const node = $('flash');
    text(node, message);
    node.classList.toggle('error', error);
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => text(node, ''), 6000);
}

/**
 * What each action button does, and what it asks first. Disconnect, kick and lock act at once, as the test hooks
 * promise (ui-contract.md: the click does it; a browser test's driver dismisses a dialog), and each is undone by the
 * person or the operator (a disconnected client resumes, a kicked peer may join again, a lock unlocks). Closing a
 * room ends its call and its history, so that one asks.
 */
const ACTIONS = {
    disconnect: (d) => ({
        run: () => api.disconnect(d.targetPeerId),
        done: `Disconnected ${d.nickname}.`,
    }),
    kick: (d) => ({
        run: () => api.kick(d.targetRoom, d.targetPeerId),
        done: `Removed ${d.nickname} from “${d.targetRoom}”.`,
    }),
    close: (d) => ({
        question: `Close room “${d.targetRoom}”? Everyone in it is sent out.`,
        run: () => api.closeRoom(d.targetRoom),
        done: `Closed “${d.targetRoom}”.`,
    }),
    lock: (d) => {
        const locked = d.lock === 'true';
        return {
            run: () => api.lock(d.targetRoom, locked),
            done: locked ? `Locked “${d.targetRoom}”.` : `Unlocked “${d.targetRoom}”.`,
        };
    },
};

async function perform(action, button) {
    if (action.question && !window.confirm(action.question)) {
        return;
    }
    if (button) {
        button.disabled = true;
    }
    try {
        await action.run();
        flash(action.done);
        return true;
    } catch (e) {
        if (e.status === 401) {
            signedOut();
        } else {
            flash(e.message, true);
        }
        return false;
    } finally {
        if (button) {
            button.disabled = false;
        }
    }
}

/** A click on a connection's row (not on its button) opens that connection's details. */
async function onSocketClick(event) {
    const row = event.target.closest('tr[data-peer-id]');
    if (!row || event.target.closest('button')) {
        return;
    }
    try {
        showDetail(await api.socket(row.dataset.peerId));
    } catch (e) {
        if (e.status === 401) {
            signedOut();
        } else {
            flash(e.message, true);
        }
    }
}

function showDetail(s) {
    const fields = $('detail-fields');
    fields.replaceChildren();
    const add = (name, value) => {
        fields.append(el('dt', {}, name), el('dd', {'data-field': name}, value ?? '–'));
    };
    add('peer', s.peerId);
    add('user agent', s.userAgent);
    add('address', s.remote);
    add('gateway', s.gateway);
    add('rooms', (s.rooms || []).join(', ') || '–');
    add('connected since', iso(s.connectedSince));
    const c = s.counters;
    if (c) {
        add('frames in / out', `${c.framesIn} / ${c.framesOut}`);
        add('bytes in / out', `${c.bytesIn} / ${c.bytesOut}`);
        add('last error', c.lastError ? `${c.lastError} (${iso(c.lastErrorTs)})` : 'none');
    } else {
        // The gateway answering asks the holder; the answer says why when that gateway could not be asked.
        add('frames and bytes', `not available: ${s.countersMissing || 'unknown reason'}`);
    }
    text($('detail-nickname'), s.nickname || s.peerId);
    attr($('socket-detail'), 'hidden', false);
}

function onActionClick(event) {
    const button = event.target.closest('button[data-action]');
    if (!button || !session || session.readonly) {
        return;
    }
    const make = ACTIONS[button.dataset.action];
    if (make) {
        perform(make({...button.dataset}), button);
    }
}

async function onNotice(event) {
    event.preventDefault();
    const textValue = $('notice-text').value.trim();
    const room = $('notice-room').value.trim();
    if (!textValue) {
        return;
    }
    const ok = await perform({
        question: room ? `Send this announcement to room “${room}”?\n\n${textValue}`
            : `Send this announcement to everyone?\n\n${textValue}`,
        run: () => api.notice(textValue, room || null),
        done: room ? `Announced to “${room}”.` : 'Announced to everyone.',
    }, event.submitter);
    if (ok) {
        $('notice-text').value = '';
    }
}

async function onLogin(event) {
    event.preventDefault();
    const submit = $('login-submit');
    submit.disabled = true;
    text($('login-error'), '');
    try {
        const me = await api.login($('login-user').value, $('login-password').value);
        $('login-password').value = '';
        await enter(me);
    } catch (e) {
        text($('login-error'), e.code === 'wrong_credentials' ? 'Wrong user name or password.' : e.message);
    } finally {
        submit.disabled = false;
    }
}

async function onLogout() {
    try {
        await api.logout();
    } catch (e) {
        // signed out anyway
    }
    location.reload(); // drop every table and the chart with the sign-in
}

async function start() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('notice-form').addEventListener('submit', onNotice);
    $('dashboard').addEventListener('click', onActionClick);
    $('sockets-table').addEventListener('click', onSocketClick);
    $('detail-close').addEventListener('click', () => attr($('socket-detail'), 'hidden', true));
    $('filter').addEventListener('input', (event) => tables && tables.filter(event.target.value));
    try {
        const me = await api.me();
        if (me) {
            await enter(me);
        } else {
            showLogin();
        }
    } catch (e) {
        showLogin(e.message);
    }
}

start();
