using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Authorization;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// What an operator reads: the OpenAPI document, metrics and traces (section <c>OpenTelemetry</c>,
/// <see cref="TelemetryOptions"/>), the log scope of authenticated requests, and store timings.
/// Nothing is exported unless configured.
/// </summary>
public static class ObservabilityExtensions
{
    /// <summary>The standard variables that configure an OTLP endpoint without this server's own key.</summary>
    private static readonly string[] OtlpEnvironment =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    public static WebApplicationBuilder AddSyncObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSyncOpenApi();
        services.AddSingleton<SyncMetrics>();
        services.AddHostedService<LiveGauges>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopedAuthorizationResultHandler>();
        TimeTheStore(services);
        TokenRedactingLoggerFactory.Register(services);

        var section = builder.Configuration.GetSection(TelemetryOptions.Section);
        services.Configure<TelemetryOptions>(section);
        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            || OtlpEnvironment.Any(name => !string.IsNullOrWhiteSpace(builder.Configuration[name]));
        if (!otlp && !options.Prometheus)
        {
            return builder;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(options.ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(SyncTelemetry.Name).AddMeter("Npgsql").AddAspNetCoreInstrumentation();
            if (otlp)
            {
                metrics.AddOtlpExporter(exporter => Configure(exporter, options));
            }

            if (options.Prometheus)
            {
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeEndpointPath = options.PrometheusPath);
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(SyncTelemetry.Name)
                .AddAspNetCoreInstrumentation(aspnet =>
                {
                    // The y-websocket route takes its token in the query: a span keeps the path only.
                    aspnet.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                    aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/healthz");
                })
                .AddSource("Npgsql") // the PostgreSQL driver's own ActivitySource (commands as spans)
                .AddOtlpExporter(exporter => Configure(exporter, options)));
        }

        return builder;
    }

    /// <summary>
    /// The Prometheus scrape endpoint when <c>OpenTelemetry:Prometheus</c> is true (open without a token,
    /// never rate limited); nothing otherwise.
    /// </summary>
    public static WebApplication MapSyncMetrics(this WebApplication app)
    {
        var options = app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(options.PrometheusPath).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        }

        return app;
    }

    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            exporter.Endpoint = new Uri(options.OtlpEndpoint);
        }

        if (string.Equals(options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        }
    }

    /// <summary>Wraps the registered store in <see cref="TimedStoreProxy"/> (registered after storage, so it finds it).</summary>
    private static void TimeTheStore(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ISyncStore));
        if (registered is null || registered.IsKeyedService)
        {
            return;
        }

        services.Remove(registered);
        services.Add(new ServiceDescriptor(typeof(ISyncStore), sp =>
        {
            var store = registered switch
            {
                { ImplementationInstance: ISyncStore instance } => instance,
                { ImplementationFactory: { } factory } => (ISyncStore)factory(sp),
                _ => (ISyncStore)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
            };
            return TimedStoreProxy.Wrap(store, sp.GetRequiredService<SyncMetrics>());
        }, registered.Lifetime));
    }
}
