/** Public API of the Home Assistant MQTT integration, for the composition root and tests. */
export {
  MqttBridge,
  DEFAULT_TIMING,
  type MqttBridgeDeps,
  type MqttBridgeConfig,
  type MqttBridgeTiming,
  type MqttBridgeStatus,
  type MqttBridgeMode,
} from './bridge.js';
export {
  resolveBrokerSettings,
  resolveDashboardUrl,
  supervisorFromEnv,
  fetchSupervisorMqtt,
  fetchAddonSlug,
  SupervisorError,
  DEFAULT_SUPERVISOR_URL,
  type SupervisorEndpoint,
} from './supervisor.js';
export { MqttConnection, redactUrl, type BrokerSettings } from './mqtt-connection.js';
export { HaTopics, topicId, ID_PREFIX } from './topics.js';
export {
  CAMERA_ENTITIES,
  BRIDGE_ENTITIES,
  UNKNOWN_STATE,
  type EntitySpec,
  type CameraAction,
  type BridgeStatus,
  type Platform,
} from './entities.js';
export {
  buildCameraDiscovery,
  buildBridgeDiscovery,
  cameraTopics,
  bridgeTopics,
  BRIDGE_IDENTIFIER,
  MANUFACTURER,
  CAMERA_MODEL,
  type DeviceDiscovery,
  type DeviceDiscoveryPayload,
  type DiscoveryContext,
} from './discovery.js';
export { IMAGE_KEY } from './snapshot-publisher.js';
