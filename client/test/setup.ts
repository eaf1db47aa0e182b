// Every client test runs on a real IndexedDB implementation (fake-indexeddb), never on a mock.
import 'fake-indexeddb/auto';
