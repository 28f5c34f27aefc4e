import type { DocumentListResponse, DocumentRemovedResponse, DocumentResponse, ErrorBody, FeedbackReceipt, FeedbackRequest, FollowUpsRequest, FollowUpsResponse, HealthResponse, SuggestionsResponse, UploadsResponse, UploadStatusResponse } from '../../server/protocol.js';

/** The HTTP API as the page uses it. */
export interface ApiClient {
  health(): Promise<HealthResponse>;
  /** Every document of the index, with its title; fetched once, and again after {@link ApiClient.forgetDocuments}. */
  documents(): Promise<DocumentListResponse>;
  /** The list and texts changed (an upload is ready, a document was deleted): the next calls fetch them again. */
  forgetDocuments(): void;
  /** Sends files to `POST /api/documents` (the field `files`). */
  upload(files: readonly File[]): Promise<UploadsResponse>;
  /** An upload's state, from its status URL. */
  uploadStatus(statusUrl: string): Promise<UploadStatusResponse>;
  /** `DELETE /api/documents/:id`: resolves once the index without it serves. */
  deleteDocument(id: string): Promise<DocumentRemovedResponse>;
  /** Starter questions the documents answer. */
  suggestions(): Promise<SuggestionsResponse>;
  /** Follow-up questions the documents answer, about what an answer cites. */
  followUps(request: FollowUpsRequest): Promise<FollowUpsResponse>;
  /** The exact text citations index into; fetched once per document and page load. */
  document(id: string): Promise<DocumentResponse>;
  /** A PDF document's original bytes (`GET /api/documents/:id/file`), to draw its pages. */
  documentFile(id: string): Promise<ArrayBuffer>;
  /** Stores a reader's verdict on an answer in the server's feedback log. */
  feedback(request: FeedbackRequest): Promise<FeedbackReceipt>;
}

/** An API error carrying the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends a request to the API, with the token when there is one; see {@link readJson}. */
async function getJson<T>(path: string, token: string | null, init: RequestInit = {}): Promise<T> {
  return readJson<T>(await fetch(path, { ...init, headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) } }));
}

async function postJson<T>(path: string, body: unknown, token: string | null): Promise<T> {
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached: check the connection and try again');
  }
  return readJson<T>(response);
}

/** The body of a successful response, or an {@link ApiError} with the server's code and message. */
async function readJson<T>(response: Response): Promise<T> {
  if (!response.ok) {
    let body: Partial<ErrorBody> = {};
    try {
      body = (await response.json()) as ErrorBody;
    } catch {
      // not JSON: fall back to the status line
    }
    throw new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `the server answered ${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

/** Creates the client; `token` is sent as a bearer token when set. */
export function createApiClient(options: { token: string | null }): ApiClient {
  const documents = new Map<string, Promise<DocumentResponse>>();
  let documentList: Promise<DocumentListResponse> | null = null;
  return {
    health: () => getJson<HealthResponse>('/api/health', options.token),
    documents() {
      // One list until the library changes the index; a failure is asked again.
      if (!documentList) {
        const pending = getJson<DocumentListResponse>('/api/documents', options.token);
        documentList = pending;
        pending.catch(() => {
          if (documentList === pending) documentList = null;
        });
      }
      return documentList;
    },
    forgetDocuments() {
      documentList = null;
      documents.clear();
    },
    upload(files) {
      const form = new FormData();
      for (const file of files) form.append('files', file, file.name);
      return getJson<UploadsResponse>('/api/documents', options.token, { method: 'POST', body: form });
    },
    uploadStatus: (statusUrl) => getJson<UploadStatusResponse>(statusUrl, options.token),
    deleteDocument: (id) => getJson<DocumentRemovedResponse>(`/api/documents/${encodeURIComponent(id)}`, options.token, { method: 'DELETE' }),
    suggestions: () => getJson<SuggestionsResponse>('/api/suggestions', options.token),
    followUps: (request) => postJson<FollowUpsResponse>('/api/suggestions/follow-ups', request, options.token),
    feedback: (request) => postJson<FeedbackReceipt>('/api/feedback', request, options.token),
    document(id) {
      let pending = documents.get(id);
      if (!pending) {
        pending = getJson<DocumentResponse>(`/api/documents/${encodeURIComponent(id)}`, options.token);
        documents.set(id, pending);
        pending.catch(() => documents.delete(id));
      }
      return pending;
    },
    async documentFile(id) {
      const response = await fetch(`/api/documents/${encodeURIComponent(id)}/file`, { headers: { Accept: 'application/pdf', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) } });
      if (!response.ok) await readJson<never>(response);
      return response.arrayBuffer();
    },
  };
}
