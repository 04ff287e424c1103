import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends signed requests to one AWS service: endpoint, SigV4 signature, retries (standard mode: exponential
/// backoff with full jitter, a retry quota), clock-skew correction, timeouts and debug logs with the request
/// id and timing (never credentials).
///
/// One instance per service client; it shares AsyncHTTPClient's connection pool.
public final class AWSHTTPClient: Sendable {
    /// The configuration.
    public let configuration: AWSClientConfiguration
    /// The service.
    public let service: AWSService
    private let httpClient: HTTPClient
    private let errorDecoder: @Sendable (AWSResponse) -> AWSErrorDetails?
    private let quota: RetryQuota
    private let clockSkew: ClockSkew
    private let logger: Logger

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - errorDecoder: reads the protocol's error body (JSON for SQS, XML for S3) into code and message;
    ///     retries and clock-skew correction are decided from it.
    public init(
        configuration: AWSClientConfiguration, service: AWSService, httpClient: HTTPClient = .aws,
        logger: Logger = Logger(label: "videoqueue.aws"),
        errorDecoder: @escaping @Sendable (AWSResponse) -> AWSErrorDetails?
    ) {
        self.configuration = configuration
        self.service = service
        self.httpClient = httpClient
        self.errorDecoder = errorDecoder
        self.quota = RetryQuota(capacity: configuration.retry.quotaCapacity)
        self.clockSkew = ClockSkew()
        self.logger = logger
    }

    /// The retry tokens left (for metrics and tests).
    public var retryTokensAvailable: Int { quota.available }

    /// Now, as the service's clock has it (the local clock corrected for the skew seen): the date to sign with.
    public func signingDate() -> Date { clockSkew.now() }

    /// The current clock-skew correction applied to signatures.
    public var clockSkewCorrection: Duration { clockSkew.offset }

    // MARK: Sending

    /// Sends `request` and reads the whole answer. Non-2xx answers are returned (after retries), not thrown:
    /// the service client turns them into its typed error with ``decodeError(_:)``.
    ///
    /// - Throws: ``AWSTransportError`` when no answer could be had; `CancellationError` when the task is cancelled.
    public func send(_ request: AWSRequest) async throws -> AWSResponse {
        try await execute(request) { response in
            let limit = configuration.maximumResponseBytes
            do {
                return try await response.body.collect(upTo: limit)
            } catch let error as NIOTooManyBytesError {
                throw AWSTransportError(
                    code: .responseTooLarge, message: "\(request.operation): the response is larger than \(limit) bytes",
                    attempts: 1, underlying: "\(error)")
            }
        }
    }

    /// Sends `request`; on a 2xx answer hands the streaming response to `consume` (for downloads), on any
    /// other answer reads the error body. Retries apply up to the moment the 2xx head arrives.
    public func stream<Result: Sendable>(
        _ request: AWSRequest,
        consume: @Sendable (HTTPClientResponse) async throws -> Result
    ) async throws -> StreamResult<Result> {
        var streamed: Result?
        let response = try await execute(request, streaming: true) { response in
            if (200..<300).contains(response.status.code) {
                streamed = try await consume(response)
                return ByteBuffer()
            }
            return try await response.body.collect(upTo: configuration.maximumResponseBytes)
        }
        if let streamed { return .success(streamed, response) }
        return .failure(response)
    }

    /// The outcome of ``stream(_:consume:)``.
    public enum StreamResult<Value: Sendable>: Sendable {
        /// A 2xx answer, consumed; the response's body is empty.
        case success(Value, AWSResponse)
        /// Another answer, with its body read.
        case failure(AWSResponse)
    }

    /// The error details of a non-2xx answer (a code made from the status when the body has none).
    public func decodeError(_ response: AWSResponse) -> AWSErrorDetails {
        if var details = errorDecoder(response) {
            details.code = AWSErrorDetails.normalizedCode(details.code)
            if details.requestID == nil { details.requestID = response.requestID }
            return details
        }
        return AWSErrorDetails(code: "HTTP\(response.status.code)", message: response.status.reasonPhrase, requestID: response.requestID)
    }

    // MARK: The attempt loop

    private func execute(
        _ request: AWSRequest, streaming: Bool = false,
        read: (HTTPClientResponse) async throws -> ByteBuffer
    ) async throws -> AWSResponse {
        var attempt = 0
        var skewCorrected = false
        while true {
            attempt += 1
            try Task.checkCancellation()
            let started = ContinuousClock.now
            var failure: RetryClassifier.Failure
            var lastError: (any Error)?
            do {
                let httpRequest = try await prepare(request)
                let response = try await httpClient.execute(
                    httpRequest, timeout: TimeAmount(clamping: request.timeout ?? configuration.requestTimeout),
                    logger: logger)
                let body = try await read(response)
                let result = AWSResponse(status: response.status, headers: response.headers, body: body)
                log(request, result, attempt: attempt, started: started)
                if result.isSuccess {
                    quota.release(1)
                    return result
                }
                let details = decodeError(result)
                if !skewCorrected, clockSkew.correct(from: result, code: details.code) {
                    skewCorrected = true
                    attempt -= 1  // a corrected clock is not a retry
                    continue
                }
                failure = RetryClassifier.classify(status: Int(result.status.code), code: details.code)
                guard failure != .permanent, try await retryAfterBackoff(request, attempt: attempt, failure: failure) else {
                    return result
                }
            } catch let error as AWSTransportError {
                throw error
            } catch let error as CredentialsError {
                throw AWSTransportError(
                    code: .credentialsUnavailable, message: "\(request.operation): no credentials", attempts: attempt,
                    underlying: error.description)
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                failure = RetryClassifier.classify(transportError: error)
                lastError = error
                logger.debug(
                    "AWS request failed",
                    metadata: [
                        "operation": "\(request.operation)", "attempt": "\(attempt)", "error": "\(error)",
                        "elapsed": "\(ContinuousClock.now - started)",
                    ])
                let retrying = failure != .permanent ? try await retryAfterBackoff(request, attempt: attempt, failure: failure) : false
                if !retrying {
                    throw AWSTransportError(
                        code: .networkError, message: "\(request.operation) to \(configuration.endpoint) failed",
                        attempts: attempt, underlying: "\(lastError.map { "\($0)" } ?? "unknown")")
                }
            }
        }
    }

    /// Waits before the next attempt when one is allowed: attempts left, a replayable body and retry tokens.
    private func retryAfterBackoff(_ request: AWSRequest, attempt: Int, failure: RetryClassifier.Failure) async throws -> Bool {
        let retry = configuration.retry
        guard attempt < retry.maximumAttempts, request.body.isReplayable else { return false }
        guard quota.acquire(failure == .timeoutOrConnection ? retry.timeoutRetryCost : retry.retryCost) else {
            logger.debug("AWS retry quota exhausted", metadata: ["operation": "\(request.operation)"])
            return false
        }
        try await Task.sleep(for: retry.delay(beforeRetry: attempt))
        return true
    }

    /// Resolves the URL, signs with fresh credentials and attaches the body.
    private func prepare(_ request: AWSRequest) async throws -> HTTPClientRequest {
        let credentials = try await configuration.credentialProvider.credentials()
        let endpoint = configuration.endpoint
        var signable = SigV4Request(
            method: request.method.rawValue, scheme: endpoint.scheme, host: request.hostPrefix + endpoint.host,
            path: endpoint.basePath + request.path, query: request.query, headers: request.headers)
        let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: service.signingName)
        let body = request.body.sign(&signable, with: signer, date: clockSkew.now())
        var httpRequest = HTTPClientRequest(url: signable.url)
        httpRequest.method = request.method
        httpRequest.headers = signable.headers
        if let body { httpRequest.body = body }
        return httpRequest
    }

    private func log(_ request: AWSRequest, _ response: AWSResponse, attempt: Int, started: ContinuousClock.Instant) {
        logger.debug(
            "AWS request",
            metadata: [
                "service": "\(service.signingName)", "operation": "\(request.operation)", "status": "\(response.status.code)",
                "attempt": "\(attempt)", "request_id": "\(response.requestID ?? "-")", "elapsed": "\(ContinuousClock.now - started)",
            ])
    }
}
