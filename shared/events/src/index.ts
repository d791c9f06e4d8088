export {
  type BatchHandler,
  ConsumerGroup,
  type ConsumerGroupOptions,
  type ConsumerGroupSettings,
  type EventContext,
  type EventHandler,
  TRIMMED_ERROR,
} from "./consumer-group.js";
export { ConsumerMetrics } from "./consumer-metrics.js";
export {
  createEvent,
  dispatchEvent,
  EVENT_CONTRACTS,
  EVENT_TYPES,
  type EventHandlers,
  type EventType,
  type NotificationPreferences,
  NotificationPreferencesSchema,
  type OrderLine,
  OrderLineSchema,
  type OrderOwner,
  OrderOwnerSchema,
  OrderSchema,
  type OrderStatus,
  OrderStatusSchema,
  type OrderView,
  type PayloadOf,
  type PaymentSnapshot,
  PaymentSnapshotSchema,
  type PaymentStatus,
  PaymentStatusSchema,
  type PlatformEvent,
  type ProductSnapshot,
  ProductSnapshotSchema,
  readEvent,
  UnknownEventError,
} from "./contracts/index.js";
export { type DeadLetter, listDeadLetters, replayDeadLetter } from "./dead-letters.js";
export {
  type DomainEvent,
  fieldsToRecord,
  fromStreamFields,
  MalformedEventError,
  newEvent,
  toStreamFields,
} from "./envelope.js";
export { DEFAULT_STREAM_MAX_LEN, publishEvent } from "./publisher.js";
export { deadLetterStream } from "./stream-keys.js";
export { trimStream } from "./stream-trimming.js";
