import Foundation

/// One value for CloudWatch `PutMetricData`.
public struct MetricDatum: Sendable, Hashable {
    /// The metric name, e.g. `BacklogPerInstance`.
    public var name: String
    /// The value.
    public var value: Double
    /// CloudWatch's unit name: `Count`, `Seconds`, `None`…
    public var unit: String
    /// Dimensions, in order (`QueueName`, `AutoScalingGroupName`).
    public var dimensions: [(name: String, value: String)]
    /// The time of the value (`nil`: CloudWatch uses the time it receives it).
    public var timestamp: Date?

    public init(name: String, value: Double, unit: String = "Count", dimensions: [(name: String, value: String)] = [], timestamp: Date? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.dimensions = dimensions
        self.timestamp = timestamp
    }

    public static func == (lhs: MetricDatum, rhs: MetricDatum) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value && lhs.unit == rhs.unit && lhs.timestamp == rhs.timestamp
            && lhs.dimensions.map(\.name) == rhs.dimensions.map(\.name) && lhs.dimensions.map(\.value) == rhs.dimensions.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
        hasher.combine(unit)
        for dimension in dimensions {
            hasher.combine(dimension.name)
            hasher.combine(dimension.value)
        }
    }
}
