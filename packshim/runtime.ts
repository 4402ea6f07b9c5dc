// The hand-written runtime of the CSM Cockpit pack: how the pack talks to the service and shapes
// the service's rows for Coda. pack.ts, generated from the catalog, imports it and `coda build`
// bundles the two; `csm packshim generate` copies this file beside pack.ts byte for byte.
import * as coda from "@codahq/packs-sdk";

/** What the runtime needs to know about a sync table to shape its rows. */
export interface TableShape {
  /** The service's table name, e.g. "ActivitiesTasks". */
  name: string;
  /** Percentages: served 0-100, shown to Coda as the fractions its Percent hint expects. */
  percentKeys: string[];
}

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

// --- rows ---------------------------------------------------------------------------------

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

/** The CSM Cockpit service at `baseUrl`, as the pack's formulas and sync tables use it. */
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

  /** A formula's value; the service's null (no data) becomes an error that says why. */
  async formula(
    context: coda.ExecutionContext,
    name: string,
    params: { [name: string]: string | number },
    cacheTtlSecs: number,
    whenNull: string,
  ): Promise<any> {
    const query = Object.entries(params)
      .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
      .join("&");
    const body = await this.get(context, `/v1/formulas/${name}?${query}`, cacheTtlSecs);
    if (body.result === null || body.result === undefined) throw new coda.UserVisibleError(whenNull);
    return body.result;
  }
}

