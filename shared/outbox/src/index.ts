export {
  insertOutboxEvent,
  lockUnpublished,
  markPublished,
  type OutboxDb,
  type OutboxRow,
  outboxInsert,
  prunePublished,
  unpublishedCount,
} from "./outbox.store.js";
export { createOutboxTable, type OutboxDatabase, type OutboxTable } from "./outbox.table.js";
export { OutboxRelay, type OutboxRelayOptions } from "./outbox-relay.js";
