namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// What an operator reads: the OpenAPI document, and (see the README's configuration table) traces,
/// metrics and structured logs. Nothing is exported unless configured.
/// </summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddSyncObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSyncOpenApi();
        return builder;
    }
}
