export {
  orderCreatedEvent,
  orderFixture,
  orderStatusUpdatedEvent,
  paymentFailedEvent,
  paymentRefundedEvent,
  paymentSucceededEvent,
  stockLowEvent,
  unknownTypeEvent,
  unreadableEntryFields,
} from "./event-fixtures.js";
export { type HttpClient, httpClient, type TestRequest, type TestResponse } from "./http-client.js";
export { type TestInfra, testInfra } from "./infra.js";
export { eventually, uniqueName } from "./names.js";
export { OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
export { OwnMongo, OwnPostgres, OwnRedis } from "./own-servers.js";
export { sampleOf } from "./prometheus-text.js";
export {
  freePort,
  freePorts,
  runToExit,
  type ServiceProcess,
  startServiceProcess,
} from "./service-process.js";
export { SmtpSink } from "./smtp-sink.js";
export { type TcpRelay, tcpRelay } from "./tcp-relay.js";
export { type TestTokens, testTokens } from "./tokens.js";
