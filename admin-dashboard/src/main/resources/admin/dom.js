// Small DOM helpers. Everything that comes from the server is written with textContent, never as HTML.

/** An element with attributes (strings; `hidden` as a boolean) and children (nodes or text). */
export function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
}

/** Sets a node's text only when it changed (keeps selections and avoids needless layout). */
export function text(node, value) {
    const s = value === null || value === undefined ? '' : String(value);
    if (node.textContent !== s) {
        node.textContent = s;
    }
}

export function attr(node, name, value) {
    if (value === null || value === undefined || value === false) {
        if (node.hasAttribute(name)) {
            node.removeAttribute(name);
        }
        return;
    }
    const s = value === true ? '' : String(value);
    if (node.getAttribute(name) !== s) {
        node.setAttribute(name, s);
    }
}

/**
 * Makes `container`'s children one node per item, in the items' order, reusing the node of each key:
 * rows keep their identity across updates, so a button being clicked is not replaced under the pointer.
 *
 * @param container parent node
 * @param items     the new list
 * @param key       item -> string key
 * @param create    item -> new node (then `update` runs on it too)
 * @param update    (node, item) -> void
 * @param nodes     Map key -> node, kept by the caller between calls
 * @param after     the child after which the list starts (e.g. a table's thead), or null
 */
export function reconcile(container, items, key, create, update, nodes, after = null) {
    const wanted = new Set();
    let previous = null;
    for (const item of items) {
        const k = key(item);
        wanted.add(k);
        let node = nodes.get(k);
        if (!node) {
            node = create(item);
            nodes.set(k, node);
        }
        update(node, item);
        const expected = previous ? previous.nextSibling : after ? after.nextSibling : container.firstChild;
        if (node !== expected) {
            container.insertBefore(node, expected);
        }
        previous = node;
    }
    for (const [k, node] of nodes) {
        if (!wanted.has(k)) {
            node.remove();
            nodes.delete(k);
        }
    }
}
