/// The autoscaler.
public enum AutoscalerModule {}
