/** Entry point of the chat page: finds the page's elements and wires the pieces together. */
import { takeAccessToken } from './access-token.js';
import { createApiClient } from './api-client.js';
import { ChatApp } from './chat-app.js';
import { CitationPreview } from './citation-preview.js';
import { ChatSocket } from './chat-socket.js';
import { ConnectionBanner } from './connection-banner.js';
import { ConversationPanel } from './conversation-panel.js';
import { ConversationSession } from './conversation-session.js';
import { ConversationStore } from './conversation-store.js';
import { DocumentTitles } from './document-titles.js';
import { required } from './dom.js';
import { LibraryPanel } from './library-panel.js';
import { broadcastTabChannel } from './tab-channel.js';
import { ScrollFollow } from './scroll-follow.js';
import { SourcePanel } from './source-panel.js';
import { UnverifiedSetting } from './unverified-setting.js';
import { WelcomePanel } from './welcome-panel.js';

async function start(): Promise<void> {
  const token = takeAccessToken();
  const api = createApiClient({ token });
  const status = required('connection-status', HTMLElement);
  const sources = new SourcePanel(
    {
      panel: required('source-panel', HTMLElement),
      title: required('source-title', HTMLElement),
      documentName: required('source-doc', HTMLElement),
      check: required('source-check', HTMLElement),
      text: required('source-text', HTMLElement),
      closeButton: required('close-source', HTMLButtonElement),
    },
    api,
  );
  const titles = new DocumentTitles(api);
  const preview = new CitationPreview(
    { tooltip: required('citation-preview', HTMLElement), title: required('preview-title', HTMLElement), quote: required('preview-quote', HTMLElement), check: required('preview-check', HTMLElement) },
    api,
    titles,
  );
  const socket = new ChatSocket({
    token,
    onState: (state, detail) => {
      banner.show(state, detail);
      app.setOnline(state !== 'offline');
    },
    onStrayError: (_code, message) => {
      status.textContent = message;
    },
  });
  const question = required('question', HTMLTextAreaElement);
  const messages = required('messages', HTMLOListElement);
  const scroll = new ScrollFollow({ container: required('conversation', HTMLElement), content: messages, jumpButton: required('jump-latest', HTMLButtonElement), focusAfterJump: question });
  const banner = new ConnectionBanner(
    { banner: required('connection-banner', HTMLElement), message: required('connection-message', HTMLElement), tryNow: required('reconnect-now', HTMLButtonElement) },
    () => socket.reconnectNow(),
  );
  window.addEventListener('online', () => socket.reconnectNow());
  const titleOf = (docId: string) => titles.titleOf(docId);
  const session = new ConversationSession({ store: ConversationStore.open(), panel: () => panel, chat: () => app, titleOf, otherTabs: broadcastTabChannel() });
  const app = new ChatApp(
    {
      form: required('ask-form', HTMLFormElement),
      question,
      counter: required('question-counter', HTMLElement),
      send: required('send', HTMLButtonElement),
      stop: required('stop', HTMLButtonElement),
      newChat: required('new-chat', HTMLButtonElement),
      messages,
      emptyHint: required('empty-hint', HTMLElement),
      editNotice: required('edit-notice', HTMLElement),
      cancelEdit: required('cancel-edit', HTMLButtonElement),
    },
    socket,
    sources,
    scroll,
    titleOf,
    { titles, preview },
    (request) => api.feedback(request),
    { onChange: (exchanges) => session.save(exchanges), onNewChat: () => session.startNew(), documentText: async (docId) => (await api.document(docId)).text },
    (request) => api.followUps(request),
  );
  const panel = new ConversationPanel(
    {
      panel: required('conversation-panel', HTMLElement),
      search: required('conversation-search', HTMLInputElement),
      status: required('conversation-status', HTMLElement),
      list: required('conversation-list', HTMLUListElement),
      toggle: required('conversations-toggle', HTMLButtonElement),
      closeButton: required('close-conversations', HTMLButtonElement),
      background: required('chat-column', HTMLElement),
    },
    { open: (id) => session.open(id), rename: (id, title) => session.rename(id, title), delete: (id) => session.delete(id), export: (id) => session.export(id) },
  );
  const welcome = new WelcomePanel(
    {
      badge: required('mode-badge', HTMLElement),
      corpusLine: required('corpus-line', HTMLElement),
      modeExplanation: required('mode-explanation', HTMLElement),
      suggestions: required('suggestions', HTMLElement),
      suggestionList: required('suggestion-list', HTMLUListElement),
    },
    (q) => app.askAsTyped(q),
  );
  new LibraryPanel(
    {
      toggle: required('open-library', HTMLButtonElement),
      panel: required('library-panel', HTMLElement),
      filter: required('library-filter', HTMLInputElement),
      fileInput: required('library-file', HTMLInputElement),
      dropZone: required('library-drop', HTMLElement),
      progress: required('library-progress', HTMLElement),
      list: required('library-list', HTMLUListElement),
      count: required('library-count', HTMLElement),
    },
    api,
    sources,
    titles,
    // The welcome panel names the documents and suggests questions about them: both follow the library.
    () => void welcome.load(api),
  );
  const unverified = new UnverifiedSetting({ container: required('unverified-setting', HTMLElement), checkbox: required('show-unverified', HTMLInputElement) });
  socket.start();
  void welcome.load(api);
  void api.health().then((health) => unverified.setAvailable(health.generator !== null), () => {});
  question.focus();
  // A reload shows its conversation again before the page counts as ready.
  await session.start();
  document.documentElement.dataset.ready = 'true';
}

function run(): void {
  start().catch((error: unknown) => {
    document.documentElement.dataset.ready = 'failed';
    throw error;
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
else run();
