import AWSClientRuntime
import AWSQuery
import AWSSigV4
import Foundation
import Logging
import ServiceLifecycle
import ServiceSupport
import UnixSignals
import VideoStore

extension ConsumerService {
    /// Runs the consumer as the daemon does, in one service group: the health server, the termination watcher (when
    /// ``ConsumerConfiguration/terminationCheckInterval`` is not zero and instance metadata is not disabled) and the
    /// consumer. It stops gracefully on `signals` or on a Spot interruption or scale-in notice; then, when a lifecycle
    /// hook is configured and no other consumer of the machine still runs, it completes the hook. The video store, when
    /// the service opened it, is closed when it returns (a ``VideoStoreService`` of the group).
    /// - Throws: what ends the consumer other than a graceful stop (a setting no retry can fix).
    public func runDaemon(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger
    ) async throws {
        let metadata =
            configuration.terminationCheckInterval > .zero || configuration.lifecycleHookName != nil
            ? InstanceMetadataClient(environment: environment) : nil
        let hook: LifecycleHook?
        do {
            hook = try makeLifecycleHook(metadata: metadata, environment: environment)
        } catch {
            await close()
            throw error
        }

        // The store first: closed last, after the drain (when the service opened it).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = ownsStore ? [.init(service: VideoStoreService(store: store))] : []
        if let health = HealthServer.application(consumer: self, logger: logger) { services.append(.init(service: health)) }
        if configuration.terminationCheckInterval > .zero, let metadata {
            let watcher = TerminationWatcher(metadata: metadata, consumer: self, interval: configuration.terminationCheckInterval, logger: logger)
            services.append(.init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        // Last: shut down first, so /readyz and /metrics answer (and the watcher waits) during the drain.
        services.append(.init(service: self))
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        // The receive in flight when the shutdown began ends first (it is not cancelled), then the drain and the hand-back.
        group.maximumGracefulShutdownDuration = receiveLimit + configuration.drainTimeout + Self.handBackAllowance
        try await ServiceGroup(configuration: group).run()
        await hook?.completeIfLast(logger: logger)
    }

    private func makeLifecycleHook(metadata: InstanceMetadataClient?, environment: [String: String]) throws -> LifecycleHook? {
        guard let name = configuration.lifecycleHookName else { return nil }
        guard let metadata else {
            throw ConfigurationError(setting: "VIDEOQUEUE_LIFECYCLE_HOOK", message: "needs the instance metadata service, which is disabled")
        }
        let autoScaling = AutoScalingGroupClient(
            configuration: try AWSClientConfiguration(
                service: AutoScalingGroupClient.service,
                environment: environment))
        let lock: MachineConsumersLock
        do {
            lock = try MachineConsumersLock(path: configuration.machineLockFile)
        } catch {
            throw ConfigurationError(setting: "VIDEOQUEUE_MACHINE_LOCK", message: "cannot lock \(configuration.machineLockFile): \(error)")
        }
        return LifecycleHook(name: name, group: configuration.autoScalingGroupName, metadata: metadata, autoScaling: autoScaling, lock: lock)
    }
}
