// Minimal Office globals for running xlwings Server's browser-side client in Node.
//
// Only what the client touches on a ribbon or task pane click exists here: an in-memory workbook
// (sheets of cell values and number formats, Excel tables, a selection), Excel.run with a
// request context whose sync() does nothing (all reads and writes are immediate),
// Office.onReady, Office.actions.associate, Office.context.ui.displayDialogAsync (recorded:
// the client shows errors through it), XMLHttpRequest on top of Node's fetch (every request
// is recorded), and the document/window bits its modules read when they load. The requests
// themselves are built by xlwings Server's own code, unchanged. The task pane's xw-click
// buttons are plain elements with attributes and click listeners.

import { webcrypto } from "node:crypto";

const A = "A".charCodeAt(0);

function columnName(index) {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(A + ((n - 1) % 26)) + name;
  }
  return name;
}

function cellAddress(row, column) {
  return `${columnName(column)}${row + 1}`;
}

function parseCell(text) {
  const match = /^\$?([A-Z]+)\$?(\d+)$/.exec(text.trim().toUpperCase());
  if (!match) throw new Error(`office_stub: unsupported address ${text}`);
  let column = 0;
  for (const ch of match[1]) column = column * 26 + (ch.charCodeAt(0) - A + 1);
  return [Number(match[2]) - 1, column - 1];
}

function loadable(object) {
  object.load = () => object;
  return object;
}

function collection(items) {
  return loadable({ items });
}

const NULL_OBJECT = loadable({ isNullObject: true });

class Range {
  constructor(sheet, row, column, rowCount, columnCount) {
    Object.assign(this, { sheet, rowIndex: row, columnIndex: column, rowCount, columnCount });
    this.worksheet = sheet;
    this.isNullObject = false;
  }

  load() {
    return this;
  }

  get address() {
    const first = cellAddress(this.rowIndex, this.columnIndex);
    const last = cellAddress(this.rowIndex + this.rowCount - 1, this.columnIndex + this.columnCount - 1);
    return `${this.sheet.name}!${first === last ? first : `${first}:${last}`}`;
  }

  grid(read) {
    return Array.from({ length: this.rowCount }, (_, r) =>
      Array.from({ length: this.columnCount }, (_, c) => read(this.rowIndex + r, this.columnIndex + c)),
    );
  }

  get values() {
    return this.grid((r, c) => this.sheet.cells.get(`${r},${c}`) ?? "");
  }

  set values(rows) {
    rows.forEach((row, r) =>
      row.forEach((value, c) => this.sheet.cells.set(`${this.rowIndex + r},${this.columnIndex + c}`, value)),
    );
  }

  get numberFormat() {
    return this.grid((r, c) => this.sheet.formats.get(`${r},${c}`) ?? "General");
  }

  clear() {
    for (const key of [...this.sheet.cells.keys()]) {
      const [r, c] = key.split(",").map(Number);
      const inside =
        r >= this.rowIndex && r < this.rowIndex + this.rowCount && c >= this.columnIndex && c < this.columnIndex + this.columnCount;
      if (inside) this.sheet.cells.delete(key);
    }
  }
}

class Table {
  constructor(sheet, name, address) {
    this.sheet = sheet;
    this.name = name;
    const [first, last] = address.split(":").map(parseCell);
    this.range = new Range(sheet, first[0], first[1], last[0] - first[0] + 1, last[1] - first[1] + 1);
    Object.assign(this, {
      showHeaders: true,
      showTotals: false,
      style: "TableStyleMedium2",
      showFilterButton: true,
      highlightFirstColumn: false,
      highlightLastColumn: false,
      showBandedRows: true,
      showBandedColumns: false,
    });
    this.columns = collection(this.range.values[0].map((name) => ({ name: String(name) })));
  }

  getRange() {
    return this.range;
  }

  getHeaderRowRange() {
    const r = this.range;
    return new Range(this.sheet, r.rowIndex, r.columnIndex, 1, r.columnCount);
  }

  getDataBodyRange() {
    const r = this.range;
    return new Range(this.sheet, r.rowIndex + 1, r.columnIndex, r.rowCount - 1, r.columnCount);
  }
}

class Worksheet {
  constructor(workbook, name) {
    this.workbook = workbook;
    this.name = name;
    this.cells = new Map();
    this.formats = new Map();
    this.visibility = "Visible";
    this.showGridlines = true;
    this.names = collection([]);
    this.tables = collection([]);
    this.shapes = collection([]);
    this.charts = collection([]);
    this.pivotTables = collection([]);
    this.pageLayout = { getPrintAreaOrNullObject: () => NULL_OBJECT };
  }

  load() {
    return this;
  }

  get position() {
    return this.workbook.sheets.indexOf(this);
  }

  set position(index) {
    const sheets = this.workbook.sheets;
    sheets.splice(sheets.indexOf(this), 1);
    sheets.splice(index, 0, this);
  }

  activate() {
    this.workbook.active = this;
  }

  getRange(address = "A1") {
    const [first, last = first] = address.split("!").pop().split(":").map(parseCell);
    return new Range(this, first[0], first[1], last[0] - first[0] + 1, last[1] - first[1] + 1);
  }

  getRangeByIndexes(row, column, rowCount, columnCount) {
    return new Range(this, row, column, rowCount, columnCount);
  }

  getRanges() {
    return { clear: () => this.cells.clear() };
  }

  getUsedRangeOrNullObject() {
    if (this.cells.size === 0) return NULL_OBJECT;
    const keys = [...this.cells.keys()].map((key) => key.split(",").map(Number));
    const rows = Math.max(...keys.map(([r]) => r)) + 1;
    const columns = Math.max(...keys.map(([, c]) => c)) + 1;
    return new Range(this, 0, 0, rows, columns);
  }
}

class Workbook {
  constructor(spec) {
    this.name = spec.name;
    this.sheets = [];
    this.names = collection([]);
    this.calculations = [];
    this.application = loadable({
      calculationMode: "Automatic",
      calculate: (type) => this.calculations.push(type),
    });
    const self = this;
    this.worksheets = {
      get items() {
        return self.sheets;
      },
      load: () => self.worksheets,
      getItem: (name) => self.sheets.find((s) => s.name === name),
      getItemOrNullObject: (name) => self.sheets.find((s) => s.name === name) ?? NULL_OBJECT,
      getActiveWorksheet: () => self.active,
      add: (name) => {
        const sheet = new Worksheet(self, name ?? `Sheet${self.sheets.length + 1}`);
        self.sheets.push(sheet);
        return sheet;
      },
    };
    for (const sheetSpec of spec.sheets) {
      const sheet = this.worksheets.add(sheetSpec.name);
      sheetSpec.values.forEach((row, r) =>
        row.forEach((value, c) => {
          if (value !== null && value !== "") sheet.cells.set(`${r},${c}`, value);
        }),
      );
      for (const [column, format] of Object.entries(sheetSpec.column_formats ?? {})) {
        sheetSpec.values.forEach((_, r) => sheet.formats.set(`${r},${column}`, format));
      }
      sheet.tables = collection((sheetSpec.tables ?? []).map((t) => new Table(sheet, t.name, t.address)));
    }
    this.active = this.sheets[0];
  }

  load() {
    return this;
  }

  getSelectedRange() {
    return this.active.getRange("A1");
  }

  snapshot() {
    return {
      active_sheet: this.active.name,
      calculations: [...this.calculations],
      sheets: this.sheets.map((sheet) => {
        const used = sheet.getUsedRangeOrNullObject();
        return { name: sheet.name, values: used.isNullObject ? [] : used.values };
      }),
    };
  }
}

/** A DOM element with attributes and click listeners (the task pane's xw-click buttons). */
class Element {
  constructor(attributes = {}) {
    this.attributes = new Map(Object.entries(attributes));
    this.listeners = [];
  }
  getAttribute(name) {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  hasAttribute(name) {
    return this.attributes.has(name);
  }
  removeAttribute(name) {
    this.attributes.delete(name);
  }
  addEventListener(type, listener) {
    if (type === "click") this.listeners.push(listener);
  }
  appendChild() {}
  removeChild() {}
  async click() {
    for (const listener of this.listeners) await listener({});
  }
}

/** Install the globals; returns the recorders the caller inspects. ``buttons``: attribute maps
 * of the task pane's ``[xw-click]`` elements. */
export function installOffice({ origin, configJson, workbookSpec, buttons = [] }) {
  const workbook = new Workbook(workbookSpec);
  const record = { requests: [], dialogs: [], actions: new Map(), buttons: buttons.map((b) => new Element(b)) };
  const context = { workbook, application: workbook.application, sync: async () => {} };

  globalThis.window = globalThis;
  globalThis.window.location = { origin };
  globalThis.navigator ??= { userAgent: "Node" };
  globalThis.crypto ??= webcrypto; // a browser global that older Node versions define only behind a flag
  globalThis.document = {
    getElementById: (id) => (id === "config" ? { textContent: configJson } : null),
    querySelector: () => null,
    querySelectorAll: (selector) => (selector === "[xw-click]" ? record.buttons : []),
    addEventListener: () => {},
    createElement: () => new Element(),
  };
  const storage = new Map();
  globalThis.sessionStorage = globalThis.localStorage = {
    getItem: (key) => storage.get(key) ?? null,
    setItem: (key, value) => storage.set(key, String(value)),
  };

  globalThis.XMLHttpRequest = class {
    open(method, url) {
      Object.assign(this, { method, url, headers: {} });
    }
    setRequestHeader(key, value) {
      this.headers[key] = value;
    }
    getResponseHeader(name) {
      return this.responseHeaders?.get(name) ?? null;
    }
    send(body) {
      const entry = { method: this.method, url: this.url, headers: this.headers, body: body && JSON.parse(body) };
      record.requests.push(entry);
      fetch(this.url, { method: this.method, headers: this.headers, body })
        .then(async (response) => {
          this.status = entry.status = response.status;
          this.statusText = response.statusText;
          this.responseHeaders = response.headers;
          this.responseText = await response.text();
          this.onload();
        })
        .catch(() => this.onerror());
    }
  };

  globalThis.Office = {
    onReady: (callback) => {
      const info = { host: "Excel", platform: "PC" };
      if (callback) callback(info);
      return Promise.resolve(info);
    },
    context: {
      platform: "PC",
      requirements: {
        isSetSupported: (name, version) => name === "ExcelApi" && Number(version.split(".")[1]) <= 10,
      },
      ui: {
        displayDialogAsync: (url, options, callback) => {
          record.dialogs.push(decodeURIComponent(new URL(url).searchParams.get("prompt") ?? url));
          callback?.({ status: "failed", error: { message: "no dialogs in Node", code: 0 } });
        },
      },
    },
    actions: { associate: (name, handler) => record.actions.set(name, handler) },
    AsyncResultStatus: { Failed: "failed", Succeeded: "succeeded" },
    EventType: { DialogMessageReceived: "message", DialogEventReceived: "event" },
  };
  globalThis.Excel = {
    run: async (batch) => batch(context),
    RequestContext: function RequestContext() {
      return context;
    },
    CalculationType: { full: "Full", recalculate: "Recalculate" },
    ClearApplyTo: { contents: "Contents", all: "All" },
    ShapeType: { image: "Image" },
  };
  return { workbook, record };
}
