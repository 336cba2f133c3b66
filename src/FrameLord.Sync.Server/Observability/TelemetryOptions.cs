namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// Section <c>OpenTelemetry</c>. Nothing is exported unless an OTLP endpoint is given (here or by the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variables) or the Prometheus endpoint is enabled; with
/// neither, no OpenTelemetry SDK is started and the instruments have no listener.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";

    /// <summary>OTLP collector address (e.g. <c>http://collector:4317</c>); traces and metrics go there. Default: none.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>Serves metrics in the Prometheus text format at <see cref="PrometheusPath"/>. Default false.</summary>
    public bool Prometheus { get; set; }

    /// <summary>The scrape path; default <c>/metrics</c>. Open without a token: keep it off a public interface.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>The <c>service.name</c> resource attribute; default <c>framelord-sync</c>.</summary>
    public string ServiceName { get; set; } = "framelord-sync";
}
