/// The WebSocket message budget of one connection: a token bucket of `2 × perSecond` refilled at `perSecond`.
/// A message over budget is answered once a second (`refused`) and otherwise ignored (`dropped`), so a flood
/// cannot make the server write as much as it reads; a client that keeps sending over budget
/// (`10 × perSecond` refusals without a message allowed in between) is `abusive` and disconnected.
struct MessageBucket {
    enum Verdict: Equatable {
        case allowed, refused, dropped, abusive
    }

    let perSecond: Int
    private var bucket: TokenBucket
    private var refusedSinceAllowed = 0
    private var lastAnswer: ContinuousClock.Instant?

    init(perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.perSecond = max(1, perSecond)
        bucket = TokenBucket(capacity: Double(2 * self.perSecond), perSecond: Double(self.perSecond), now: now)
    }

    /// The verdict on one more message arriving `now`.
    mutating func take(now: ContinuousClock.Instant = .now) -> Verdict {
        if bucket.take(now: now) == nil {
            refusedSinceAllowed = 0
            return .allowed
        }
        refusedSinceAllowed += 1
        if refusedSinceAllowed > 10 * perSecond { return .abusive }
        if let last = lastAnswer, now - last < .seconds(1) { return .dropped }
        lastAnswer = now
        return .refused
    }
}
