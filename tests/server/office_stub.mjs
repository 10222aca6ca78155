// Minimal Office globals for running xlwings Server's browser-side client in Node.
//
// Only what the client touches on a ribbon or task pane click exists here: an in-memory workbook
// (sheets of cell values and number formats, Excel tables, charts, a selection per sheet),
// Excel.run with a request context whose sync() does nothing (all reads and writes are
// immediate), Office.onReady, Office.actions.associate, Office.context.ui.displayDialogAsync
// (prompt and title recorded: the client shows alerts and errors there), XMLHttpRequest on top
// of Node's fetch (every request is recorded), and the document/window bits its modules read
// when they load. The requests themselves are built by xlwings Server's own code, unchanged.
// The task pane's xw-click buttons are plain elements with attributes and click listeners.
//
// Writes follow the Excel JavaScript API's documented semantics, so an action the real Excel
// would reject fails here too: Range.values / Range.numberFormat take a single value or a 1x1
// array (applied to every cell; what xlwings' setNumberFormat sends) or an array of the range's
// exact shape, where null leaves a cell unchanged and "" clears it (values) or resets it to
// General (numberFormat); worksheet and table names are unique (worksheets case-insensitively),
// tables may not overlap, a table's header row gets unique non-blank names as Excel gives them;
// deleting a sheet removes its tables and charts. Text entered as a value that Excel would take
// for a formula (it starts, after spaces, with = + - @, their full-width forms, a tab or a line
// break) into a cell not formatted as Text ("@") is recorded as a formula (a sheet's
// snapshot lists those cells under "formulas"), as Excel would enter it. What is not modelled:
// Excel's other parsing of text entered as values (an ISO date string stays text here; Excel
// would make it a date), fonts, fills, column widths, and chart series (a chart records its
// type, source range and placement).

import { webcrypto } from "node:crypto";

const A = "A".charCodeAt(0);
const FORMULA_START = /^ *[=+\-@\uff1d\uff0b\uff0d\uff20\t\r\n]/;

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

  set values(input) {
    this.assign(input, "values", (key, value) => {
      this.sheet.formulas.delete(key);
      if (value === "") this.sheet.cells.delete(key);
      else this.sheet.cells.set(key, value);
      if (typeof value === "string" && FORMULA_START.test(value) && this.sheet.formats.get(key) !== "@") {
        this.sheet.formulas.add(key);
      }
    });
  }

  get numberFormat() {
    return this.grid((r, c) => this.sheet.formats.get(`${r},${c}`) ?? "General");
  }

  set numberFormat(input) {
    this.assign(input, "numberFormat", (key, format) => {
      if (format === "" || format === "General") this.sheet.formats.delete(key);
      else this.sheet.formats.set(key, String(format));
    });
  }

  /** Office.js input for a range property: one value (or a 1x1 array) for every cell, else an
   * array of exactly the range's rows and columns; null entries leave their cell unchanged. */
  assign(input, property, write) {
    if (input === null || input === undefined) throw new Error(`InvalidArgument: ${property} cannot be set to null`);
    let cell;
    if (!Array.isArray(input)) cell = () => input;
    else if (input.length === 1 && input[0].length === 1) cell = () => input[0][0];
    else if (input.length === this.rowCount && input.every((row) => row.length === this.columnCount)) {
      cell = (r, c) => input[r][c];
    } else {
      throw new Error(
        `InvalidArgument: ${property} of ${input.length}x${input[0]?.length} for the ${this.rowCount}x${this.columnCount} range ${this.address}`,
      );
    }
    for (let r = 0; r < this.rowCount; r++) {
      for (let c = 0; c < this.columnCount; c++) {
        const value = cell(r, c);
        if (value !== null && value !== undefined) write(`${this.rowIndex + r},${this.columnIndex + c}`, value);
      }
    }
  }

  overlaps(other) {
    return (
      this.sheet === other.sheet &&
      this.rowIndex < other.rowIndex + other.rowCount &&
      other.rowIndex < this.rowIndex + this.rowCount &&
      this.columnIndex < other.columnIndex + other.columnCount &&
      other.columnIndex < this.columnIndex + this.columnCount
    );
  }

  select() {
    this.sheet.selection = this;
    this.sheet.activate();
  }

  /** Range.clear(applyTo): "All" (the default) clears values and number formats, "Contents" values, "Formats" formats. */
  clear(applyTo = "All") {
    const { cells, formats, formulas } = this.sheet;
    const stores = { All: [cells, formats, formulas], Contents: [cells, formulas], Formats: [formats] };
    for (const store of stores[applyTo]) {
      for (const key of [...store.keys()]) {
        const [r, c] = key.split(",").map(Number);
        const inside =
          r >= this.rowIndex && r < this.rowIndex + this.rowCount && c >= this.columnIndex && c < this.columnIndex + this.columnCount;
        if (inside) store.delete(key);
      }
    }
  }
}

class Table {
  constructor(sheet, name, range) {
    this.sheet = sheet;
    this.range = range;
    this._name = name;
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
  }

  get name() {
    return this._name;
  }

  set name(name) {
    const taken = this.sheet.workbook.sheets.flatMap((s) => s.tables.items).some((t) => t !== this && t.name === name);
    if (taken) throw new Error(`InvalidArgument: a table called ${name} already exists`);
    this._name = name;
  }

  /** Header names as Excel gives them: text of the header cells, blanks as ColumnN, repeats numbered. */
  nameHeaders() {
    const header = this.getHeaderRowRange();
    const seen = new Set();
    const names = header.values[0].map((value, i) => {
      const base = value === "" ? `Column${i + 1}` : String(value);
      let name = base;
      for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${base}${n}`;
      seen.add(name.toLowerCase());
      return name;
    });
    header.values = [names];
  }

  get columns() {
    return collection(this.getHeaderRowRange().values[0].map((name) => ({ name: String(name) })));
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

  snapshot() {
    return { name: this.name, address: this.range.address, style: this.style, columns: this.columns.items.map((c) => c.name) };
  }
}

/** A worksheet's tables: TableCollection.add(address, hasHeaders) as Office.js does it on a worksheet. */
function tableCollection(sheet) {
  const tables = collection([]);
  tables.add = (address, hasHeaders) => {
    const target = typeof address === "string" ? sheet.workbook.range(address, sheet) : address;
    if (tables.items.some((t) => t.range.overlaps(target))) {
      throw new Error(`InvalidArgument: a table cannot overlap another table (${target.address})`);
    }
    if (!hasHeaders) throw new Error("office_stub: tables without a header row are not modelled");
    const count = sheet.workbook.sheets.reduce((n, s) => n + s.tables.items.length, 0);
    const table = new Table(sheet, `Table${count + 1}`, target);
    table.nameHeaders();
    tables.items.push(table);
    return table;
  };
  return tables;
}

class Chart {
  constructor(sheet, name, chartType, source, seriesBy) {
    Object.assign(this, { sheet, name, chartType, source, seriesBy: seriesBy ?? "Auto", style: null });
    // Excel's default chart size, placed at the top left until positioned
    Object.assign(this, { left: 0, top: 0, width: 360, height: 216 });
  }

  /** Top-left at ``startCell`` (default grid: 48 pt columns, 15 pt rows), bottom-right at ``endCell`` when given. */
  setPosition(startCell, endCell) {
    const start = typeof startCell === "string" ? this.sheet.getRange(startCell) : startCell;
    this.left = start.columnIndex * 48;
    this.top = start.rowIndex * 15;
    if (endCell) {
      const end = typeof endCell === "string" ? this.sheet.getRange(endCell) : endCell;
      this.width = (end.columnIndex + end.columnCount) * 48 - this.left;
      this.height = (end.rowIndex + end.rowCount) * 15 - this.top;
    }
  }

  snapshot() {
    const { name, chartType, seriesBy, style, left, top, width, height } = this;
    return { name, chartType, source: this.source.address, seriesBy, style, left, top, width, height };
  }
}

function chartCollection(sheet) {
  const charts = collection([]);
  charts.add = (type, sourceData, seriesBy) => {
    const source = typeof sourceData === "string" ? sheet.workbook.range(sourceData, sheet) : sourceData;
    const chart = new Chart(sheet, `Chart ${charts.items.length + 1}`, type, source, seriesBy);
    charts.items.push(chart);
    return chart;
  };
  return charts;
}

class Worksheet {
  constructor(workbook, name) {
    this.workbook = workbook;
    this.name = name;
    this.cells = new Map();
    this.formats = new Map();
    this.formulas = new Set(); // cells whose value Excel would have entered as a formula
    this.visibility = "Visible";
    this.showGridlines = true;
    this.names = collection([]);
    this.tables = tableCollection(this);
    this.shapes = collection([]);
    this.charts = chartCollection(this);
    this.selection = null;
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

  delete() {
    const sheets = this.workbook.sheets;
    if (sheets.length === 1) throw new Error("InvalidOperation: a workbook must keep at least one sheet");
    const index = sheets.indexOf(this);
    sheets.splice(index, 1);
    if (this.workbook.active === this) this.workbook.active = sheets[Math.max(0, index - 1)];
  }

  getRange(address = "A1") {
    const [first, last = first] = address.split("!").pop().split(":").map(parseCell);
    return new Range(this, first[0], first[1], last[0] - first[0] + 1, last[1] - first[1] + 1);
  }

  getRangeByIndexes(row, column, rowCount, columnCount) {
    return new Range(this, row, column, rowCount, columnCount);
  }

  getRanges() {
    return { clear: (applyTo = "All") => this.getRangeByIndexes(0, 0, 1048576, 16384).clear(applyTo) };
  }

  /** The smallest range holding every value (and, unless ``valuesOnly``, every number format). */
  getUsedRangeOrNullObject(valuesOnly = false) {
    const keys = [...this.cells.keys(), ...(valuesOnly ? [] : this.formats.keys())];
    if (keys.length === 0) return NULL_OBJECT;
    const cells = keys.map((key) => key.split(",").map(Number));
    const [top, left] = [Math.min(...cells.map(([r]) => r)), Math.min(...cells.map(([, c]) => c))];
    const [bottom, right] = [Math.max(...cells.map(([r]) => r)), Math.max(...cells.map(([, c]) => c))];
    return new Range(this, top, left, bottom - top + 1, right - left + 1);
  }

  snapshot() {
    const used = this.getUsedRangeOrNullObject(true);
    // from A1, as the client reads a sheet: row and column indexes are the sheet's
    const all = used.isNullObject ? null : this.getRangeByIndexes(0, 0, used.rowIndex + used.rowCount, used.columnIndex + used.columnCount);
    return {
      name: this.name,
      values: all ? all.values : [],
      number_formats: all ? all.numberFormat : [],
      formulas: [...this.formulas].map((key) => cellAddress(...key.split(",").map(Number))),
      tables: this.tables.items.map((t) => t.snapshot()),
      charts: this.charts.items.map((c) => c.snapshot()),
    };
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
        name ??= `Sheet${self.sheets.length + 1}`;
        if (self.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
          throw new Error(`ItemAlreadyExists: a sheet called ${name} already exists`);
        }
        const sheet = new Worksheet(self, name);
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
      for (const t of sheetSpec.tables ?? []) sheet.tables.add(t.address, true).name = t.name;
    }
    this.active = this.sheets[0];
  }

  load() {
    return this;
  }

  /** The active sheet's selection (A1 until something is selected there). */
  getSelectedRange() {
    return this.active.selection ?? this.active.getRange("A1");
  }

  /** A range from an address, on its named sheet (``Sheet!A1:B2``, quotes allowed) or on ``sheet``. */
  range(address, sheet) {
    const bang = address.lastIndexOf("!");
    if (bang < 0) return sheet.getRange(address);
    const name = address.slice(0, bang).replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
    const target = this.sheets.find((s) => s.name === name);
    if (!target) throw new Error(`ItemNotFound: no sheet called ${name}`);
    return target.getRange(address.slice(bang + 1));
  }

  snapshot() {
    return {
      active_sheet: this.active.name,
      calculations: [...this.calculations],
      sheets: this.sheets.map((sheet) => sheet.snapshot()),
    };
  }
}

/** A DOM element with attributes, a value, text and event listeners (the task pane's xw-click buttons
 * and its sign-in form). */
class Element {
  constructor(attributes = {}) {
    this.attributes = new Map(Object.entries(attributes));
    this.listeners = {};
    this.value = "";
    this.textContent = "";
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
    (this.listeners[type] ??= []).push(listener);
  }
  appendChild() {}
  removeChild() {}
  async dispatch(type) {
    for (const listener of this.listeners[type] ?? []) await listener({ preventDefault: () => {} });
  }
  async click() {
    await this.dispatch("click");
  }
  async submit() {
    await this.dispatch("submit"); // what pressing the form's submit button fires
  }
}

/** Install the globals; returns the recorders the caller inspects. ``buttons``: attribute maps
 * of the task pane's ``[xw-click]`` elements; ``elements``: attribute maps of its elements with an
 * ``id`` (document.getElementById finds them; ``record.loaded()`` fires DOMContentLoaded). */
export function installOffice({ origin, configJson, workbookSpec, buttons = [], elements = [] }) {
  const workbook = new Workbook(workbookSpec);
  const byId = new Map(elements.map((attributes) => [attributes.id, new Element(attributes)]));
  const documentListeners = [];
  const record = {
    requests: [],
    dialogs: [],
    actions: new Map(),
    buttons: buttons.map((b) => new Element(b)),
    byId,
    loaded: async () => {
      for (const listener of documentListeners) await listener({});
    },
  };
  const context = { workbook, application: workbook.application, sync: async () => {} };

  globalThis.window = globalThis;
  globalThis.window.location = { origin };
  globalThis.navigator ??= { userAgent: "Node" };
  globalThis.crypto ??= webcrypto; // a browser global that older Node versions define only behind a flag
  globalThis.document = {
    getElementById: (id) => (id === "config" ? { textContent: configJson } : (byId.get(id) ?? null)),
    querySelector: () => null,
    querySelectorAll: (selector) => (selector === "[xw-click]" ? record.buttons : []),
    addEventListener: (type, listener) => {
      if (type === "DOMContentLoaded") documentListeners.push(listener);
    },
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
          const params = new URL(url).searchParams;
          record.dialogs.push({ prompt: params.get("prompt") ?? url, title: params.get("title") });
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
    ClearApplyTo: { contents: "Contents", formats: "Formats", all: "All" },
    ShapeType: { image: "Image" },
  };
  return { workbook, record };
}
