// The hand-written runtime of the CSM Cockpit pack: how the pack talks to the service, shapes the
// service's rows for Coda, and turns Coda's edits and action parameters back into what the service
// takes. pack.ts, generated from the catalog, imports it and `coda build` bundles the two;
// `csm packshim generate` copies this file beside pack.ts byte for byte.
import * as coda from "@codahq/packs-sdk";

/** What the runtime needs to know about a sync table to shape its rows both ways. */
export interface TableShape {
  /** The service's table name, e.g. "ActivitiesTasks". */
  name: string;
  /** The row id's key, e.g. "task_id". */
  idKey: string;
  /** Percentages: served 0-100, shown to Coda as the fractions its Percent hint expects. */
  percentKeys: string[];
  /** Dates: served and written as YYYY-MM-DD. */
  dateKeys: string[];
  /** Dates inside the items of object lists (a success plan's milestones' due dates), by list. */
  itemDateKeys: { [listKey: string]: string[] };
}

/** One parameter of a formula or an action, as the service names it. */
export interface ParamSpec {
  name: string;
  /** "string", "number" or "date" (a date is sent as YYYY-MM-DD in the doc's timezone). */
  kind: string;
}

/** A value sent to the service: JSON in the served form. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

// --- errors --------------------------------------------------------------------------

// The service's JSON error body, wherever the fetcher put it: the SDK's fetchers keep it on
// `body`, on `error`, on `response.body`, or only in the message ("404 - {...}").
function errorBody(error: any): any {
  const candidates = [error.body, error.error, error.response && error.response.body];
  const message = typeof error.message === "string" ? error.message : "";
  const dash = message.indexOf(" - ");
  if (dash >= 0) candidates.push(message.slice(dash + 3));
  for (let candidate of candidates) {
    if (typeof candidate === "string") {
      try {
        candidate = JSON.parse(candidate);
      } catch (_) {
        continue;
      }
    }
    if (candidate && typeof candidate === "object" && typeof candidate.error === "string") return candidate;
  }
  return undefined;
}

// A 4xx/5xx from the service becomes a UserVisibleError carrying the service's own message.
// (Duck-typed: the SDK's test harness throws its own StatusCodeError class.)
function serviceError(error: any): Error {
  if (error && typeof error.statusCode === "number") {
    const body = errorBody(error);
    return new coda.UserVisibleError(
      body ? body.error : `The CSM Cockpit service answered HTTP ${error.statusCode}.`,
    );
  }
  return error;
}

// --- values between Coda and the service -----------------------------------------------

/** The calendar day `date` falls on in `timezone` (the doc's), as YYYY-MM-DD. */
export function isoDay(date: Date, timezone: string | undefined): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone || "UTC",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

// A date as the service takes it: YYYY-MM-DD stays; a Date or an ISO date-time (what Coda hands
// back for a Date column or parameter) becomes its day in the doc's timezone; anything else is
// sent as it is, for the service to refuse with its own message.
function toServiceDay(value: unknown, timezone: string | undefined): Json {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string" && ISO_DAY.test(value)) return value;
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (date && !isNaN(date.getTime())) return isoDay(date, timezone);
  return value as Json;
}

// Coda's fraction back to the service's 0-100, without binary noise (0.819 * 100 = 81.89999999999999).
function toServicePercent(value: number): number {
  return Number((value * 100).toPrecision(12));
}

// One value of a synced row, as Coda holds it, in the form the service serves and takes.
function toServiceValue(shape: TableShape, key: string, value: unknown, timezone: string | undefined): Json {
  if (value === undefined || value === null) return null;
  if (shape.percentKeys.includes(key) && typeof value === "number") return toServicePercent(value);
  if (shape.dateKeys.includes(key)) return toServiceDay(value, timezone);
  const itemDates = shape.itemDateKeys[key];
  if (itemDates && Array.isArray(value)) {
    return value.map((item) => {
      if (!item || typeof item !== "object") return item as Json;
      const out: { [key: string]: Json } = { ...(item as { [key: string]: Json }) };
      for (const dateKey of itemDates) if (dateKey in out) out[dateKey] = toServiceDay(out[dateKey], timezone);
      return out;
    });
  }
  return value as Json;
}

// The byte length of `text` as UTF-8 (what the service's 1 MiB body limit counts).
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The service refuses a body over 1 MiB; the pack's requests stay below this, with room to spare. */
export const MAX_REQUEST_BYTES = 900 * 1024;

/** The doc's today (in its timezone), which the service takes for an action's "today". */
function docToday(context: coda.ExecutionContext): string {
  return isoDay(new Date(), context.timezone);
}

// Shape the service's rows for Coda: a blank value is left out (Coda's schema check reads a
// null reference as a reference with its required id missing), and percentages, served as
// 0-100, become fractions.
export function shapeRows(rows: any[], shape: TableShape): any[] {
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (row[key] === null) delete row[key];
    }
    for (const key of shape.percentKeys) {
      if (typeof row[key] === "number") row[key] = row[key] / 100;
    }
  }
  return rows;
}

// --- the service ------------------------------------------------------------------------

/** The CSM Cockpit service at `baseUrl`, as the pack's formulas, sync tables and actions use it. */
export class CsmService {
  constructor(
    private readonly baseUrl: string,
    private readonly pageSize: number,
  ) {}

  private async send(context: coda.ExecutionContext, request: coda.FetchRequest): Promise<any> {
    try {
      const response = await context.fetcher.fetch(request);
      return response.body;
    } catch (error) {
      throw serviceError(error);
    }
  }

  private get(context: coda.ExecutionContext, path: string, cacheTtlSecs: number): Promise<any> {
    return this.send(context, { method: "GET", url: this.baseUrl + path, cacheTtlSecs });
  }

  private post(context: coda.ExecutionContext, path: string, body: Json | string, headers = {}): Promise<any> {
    return this.send(context, {
      method: "POST",
      url: this.baseUrl + path,
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  /** One page per sync iteration; the service's opaque token is handed back unchanged. */
  async syncPage(context: coda.SyncExecutionContext, shape: TableShape) {
    const token = context.sync.continuation?.token as string | undefined;
    let path = `/v1/tables/${shape.name}/rows?limit=${this.pageSize}`;
    if (token) path += `&continuation=${encodeURIComponent(token)}`;
    const body = await this.get(context, path, 0);
    return {
      result: shapeRows(body.rows, shape),
      continuation: body.continuation ? { token: body.continuation } : undefined,
    };
  }

  /**
   * Two-way sync: Coda's edits, one batch request. Each update sends the edited fields' new values
   * and the values Coda last synced (the service refuses the edit if the stored value moved on).
   * One result per update, in order: the row as stored now, shaped like a synced row, or a
   * UserVisibleError with the service's message for an edit it refused.
   */
  async updateRows(
    context: coda.ExecutionContext,
    shape: TableShape,
    updates: coda.GenericSyncUpdate[],
  ): Promise<{ result: Array<any | Error> }> {
    const timezone = context.timezone;
    const batch = updates.map((update) => {
      const previous: { [key: string]: Json } = {};
      const changes: { [key: string]: Json } = {};
      for (const key of update.updatedFields) {
        previous[key] = toServiceValue(shape, key, update.previousValue[key], timezone);
        changes[key] = toServiceValue(shape, key, update.newValue[key], timezone);
      }
      const id = update.previousValue[shape.idKey] ?? update.newValue[shape.idKey];
      return { id, previous, changes };
    });
    // Requests of at most MAX_REQUEST_BYTES, in order (long texts can make 100 edits weigh more
    // than the service takes at once); each request is one transaction of the service's.
    const texts = batch.map((item) => JSON.stringify(item));
    const result: Array<any | Error> = [];
    let start = 0;
    while (start < batch.length) {
      let end = start;
      let bytes = 20; // {"updates":[...]}
      while (end < batch.length && (end === start || bytes + utf8Length(texts[end]) + 1 <= MAX_REQUEST_BYTES)) {
        bytes += utf8Length(texts[end]) + 1;
        end++;
      }
      if (end === start + 1 && bytes > MAX_REQUEST_BYTES) {
        const kb = Math.round(bytes / 1024);
        const most = MAX_REQUEST_BYTES / 1024;
        result.push(new coda.UserVisibleError(`This edit is too large to send: ${kb} KB, over the ${most} KB a request carries.`));
        start = end;
        continue;
      }
      let answers: any[];
      try {
        const body = await this.post(
          context,
          `/v1/tables/${shape.name}/rows/batch`,
          `{"updates":[${texts.slice(start, end).join(",")}]}`,
        );
        answers = Array.isArray(body && body.results) ? body.results : [];
        if (answers.length !== end - start) {
          throw new coda.UserVisibleError(
            `The CSM Cockpit service answered ${answers.length} results for ${end - start} edits.`,
          );
        }
      } catch (error) {
        // Nothing landed yet: the whole update fails with the service's message. Once a request has
        // committed, its rows keep their results and each edit not done is its own error.
        if (start === 0) throw error;
        const message = error instanceof Error ? error.message : String(error);
        while (result.length < batch.length) result.push(new coda.UserVisibleError(message));
        break;
      }
      for (const answer of answers) {
        result.push(
          answer && answer.ok
            ? shapeRows([answer.row], shape)[0]
            : new coda.UserVisibleError(
                (answer && answer.error) ||
                  `The CSM Cockpit service refused the edit (HTTP ${answer && answer.status}).`,
              ),
        );
      }
      start = end;
    }
    return { result };
  }

  /**
   * An action: its parameters as a JSON body (optional ones left out when not given), and the
   * row it wrote, shaped like a synced row so that Coda updates that row in place.
   */
  async runAction(
    context: coda.ExecutionContext,
    name: string,
    args: readonly unknown[],
    shape: TableShape,
    params: ParamSpec[],
  ): Promise<any> {
    const body: { [key: string]: Json } = {};
    params.forEach((param, i) => {
      const value = args[i];
      if (value === undefined || value === null) return;
      if (param.kind === "date") body[param.name] = toServiceDay(value, context.timezone);
      else if (param.kind === "number") body[param.name] = Number(value);
      else body[param.name] = value as Json;
    });
    // "Today" for the action (a log's default date, a task's completed date) is the doc's today.
    const answer = await this.post(context, `/v1/actions/${name}`, body, { "X-CSM-Today": docToday(context) });
    return shapeRows([answer.row], shape)[0];
  }

  /** A formula's value; the service's null (no data) becomes an error that says why. */
  async formula(
    context: coda.ExecutionContext,
    name: string,
    params: { [name: string]: string | number | Date | undefined },
    cacheTtlSecs: number,
    whenNull: string,
  ): Promise<any> {
    const query = Object.entries(params)
      .filter(([, value]) => value !== undefined && value !== null && value !== "") // an optional one left out
      .map(([key, value]) => {
        const sent = value instanceof Date ? toServiceDay(value, context.timezone) : value; // a day as YYYY-MM-DD
        return `${key}=${encodeURIComponent(String(sent))}`;
      })
      .join("&");
    const body = await this.get(context, `/v1/formulas/${name}?${query}`, cacheTtlSecs);
    if (body.result === null || body.result === undefined) throw new coda.UserVisibleError(whenNull);
    return body.result;
  }

  /** The service's account names matching what the user typed, for an account parameter. */
  async accountNames(context: coda.ExecutionContext, search: string): Promise<coda.MetadataFormulaObjectResultType[]> {
    const body = await this.get(context, `/v1/autocomplete/accounts?search=${encodeURIComponent(search || "")}`, 60);
    return body.results;
  }
}
