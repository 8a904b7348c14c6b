// The admin API (/admin/api) as the dashboard uses it: the session cookie travels by itself (same origin);
// the CSRF token from the login answer goes with every action.

const BASE = '/admin/api';
let csrf = null;

/** An API refusal: the HTTP status and the server's {code, message}. */
export class ApiError extends Error {
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}

async function call(method, path, body) {
    const headers = {Accept: 'application/json'};
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    if (method === 'POST' && csrf) {
        headers['X-CSRF-Token'] = csrf;
    }
    let response;
    try {
        response = await fetch(BASE + path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: 'same-origin',
            cache: 'no-store',
        });
    } catch (e) {
        throw new ApiError(0, 'offline', 'The gateway does not answer');
    }
    let data = null;
    try {
        data = await response.json();
    } catch (e) {
        // not JSON: handled below by the status
    }
    if (!response.ok) {
        const error = (data && data.error) || {};
        throw new ApiError(response.status, error.code || 'http_' + response.status,
            error.message || 'The gateway answered ' + response.status);
    }
    return data;
}

/** Remembers the sign-in's CSRF token (in memory only). */
function signedIn(me) {
    csrf = me.csrf;
    return {user: me.user, readonly: me.readonly};
}

export async function login(user, password) {
    return signedIn(await call('POST', '/login', {user, password}));
}

/** The current sign-in from the cookie, or null when there is none. */
export async function me() {
    try {
        return signedIn(await call('GET', '/me'));
    } catch (e) {
        if (e.status === 401) {
            return null;
        }
        throw e;
    }
}

export async function logout() {
    try {
        await call('POST', '/logout', {});
    } finally {
        csrf = null;
    }
}

export const overview = () => call('GET', '/overview');
export const sockets = () => call('GET', '/sockets');
export const rooms = () => call('GET', '/rooms');
export const servers = () => call('GET', '/servers');
export const history = () => call('GET', '/history');
export const feed = () => call('GET', '/feed');
export const socket = (peerId) => call('GET', '/sockets/' + encodeURIComponent(peerId));

export const disconnect = (peerId) => call('POST', '/disconnect', {peerId});
export const kick = (room, peerId) => call('POST', '/kick', {room, peerId});
export const closeRoom = (room) => call('POST', '/close', {room});
export const lock = (room, locked) => call('POST', '/lock', {room, locked});
export const notice = (text, room) => call('POST', '/notice', room ? {text, room} : {text});

/** The live stream of overview, sockets, rooms and servers (Server-Sent Events). */
export function events() {
    return new EventSource(BASE + '/events');
}
