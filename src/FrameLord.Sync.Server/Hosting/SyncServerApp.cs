using System.Globalization;
using System.IO.Compression;
using System.Threading.RateLimiting;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Endpoints;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Builds the server: configuration (sections Storage, Auth, Sync, Limits; command line
/// <c>--Key=Value</c> and environment <c>Key__Sub</c> both work), services, middleware and routes.
/// The CLI's <c>serve</c>, the tests and the benchmarks all start the server through here.
/// </summary>
public static class SyncServerApp
{
    public const string ApiBase = "/api/v1";
    private const string RateLimitPolicy = "per-user";

    /// <summary>Builds the app and creates or migrates the store's schema.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServerProtection.CreateBuilder(args);
        AddSyncServer(builder);
        configure?.Invoke(builder);
        var app = builder.Build();
        UseSyncServer(app);
        await app.Services.GetRequiredService<ISyncStore>().InitializeAsync(CancellationToken.None);
        return app;
    }

    public static void AddSyncServer(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<AuthOptions>(config.GetSection(AuthOptions.Section));
        services.Configure<SyncOptions>(config.GetSection(SyncOptions.Section));
        services.Configure<LimitOptions>(config.GetSection(LimitOptions.Section));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SyncOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LimitOptions>>().Value);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdGenerator, RandomIdGenerator>();
        services.TryAddSingleton<StoreFaults>();
        services.TryAddSingleton(sp => StoreFactory.Create(
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreFaults>()));
        services.AddSingleton(sp => SigningKeyProvider.Resolve(sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton<TokenService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<DocumentService>();
        services.AddSingleton<LiveHub>();
        services.AddRealtime();
        services.AddHostedService<PostgresLiveRelay>();
        services.AddHostedService<DocumentCompactor>();
        services.AddSingleton(sp => new WireJson(sp.GetRequiredService<LimitOptions>().MaxJsonDepth));
        services.AddHostedService<PurgeService>();

        var limits = config.GetSection(LimitOptions.Section).Get<LimitOptions>() ?? new LimitOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        ServerProtection.AddServerProtection(builder, limits);
        ServerProtection.AddForwardedHeaders(builder);

        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        services.AddRequestDecompression();
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);

        AddAuth(services);
        AddRateLimiting(services, limits);
    }

    private static void AddAuth(IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SymmetricSecurityKey, AuthOptions, TimeProvider>((jwt, key, auth, time) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = TokenService.ValidationParameters(auth, key, time);
                jwt.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        // No detail of why the token failed goes back to the caller.
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await ErrorResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            new ErrorBody { Code = ErrorCodes.Unauthorized, Message = "A valid access token is required." });
                    },
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build());
    }

    private static void AddRateLimiting(IServiceCollection services, LimitOptions limits)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RateLimitPolicy, context =>
            {
                var sub = context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
                var key = sub is not null ? "u:" + sub : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.RequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? (int)Math.Ceiling(retryAfter.TotalSeconds)
                    : 1; // concurrency limits carry no retry time: a slot frees as soon as a request ends
                await ErrorResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, new ErrorBody
                {
                    Code = ErrorCodes.RateLimited,
                    Message = "Too many requests; retry after the given number of seconds.",
                    RetryAfterSeconds = Math.Max(1, seconds),
                });
            };
        });
    }

    public static void UseSyncServer(WebApplication app)
    {
        ServerProtection.UseForwardedHeaders(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var (code, message) = status switch
            {
                404 => (ErrorCodes.NotFound, "No such route."),
                405 => (ErrorCodes.MethodNotAllowed, "This route does not take that method."),
                415 => (ErrorCodes.UnsupportedMediaType, "Unsupported media type."),
                _ => ("HTTP_" + status.ToString(CultureInfo.InvariantCulture), "The request failed."),
            };
            await ErrorResponses.WriteAsync(context.HttpContext, status, new ErrorBody { Code = code, Message = message });
        });
        app.UseResponseCompression();
        ServerProtection.UseWireBodyLimit(app, app.Services.GetRequiredService<LimitOptions>());
        app.UseRequestDecompression();
        app.UseWebApp();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealth();
        var api = app.MapGroup(ApiBase).RequireRateLimiting(RateLimitPolicy);
        api.MapAuth();
        api.MapSync();
        api.MapDocuments();
        api.MapEvents();
        app.MapRealtime();

        // Commits and accepted document updates become live events for the user's open streams.
        var hub = app.Services.GetRequiredService<LiveHub>();
        app.Services.GetRequiredService<SyncService>().EntitiesChanged += (user, cursor) =>
            hub.Publish(new LiveEvent(user, "changes", $"{{\"cursor\":\"{cursor}\"}}"));
        app.Services.GetRequiredService<DocumentService>().DocumentChanged += (user, note, version) =>
            hub.Publish(new LiveEvent(user, "doc", System.Text.Json.JsonSerializer.Serialize(
                new DocumentEvent(note, version), LiveJsonContext.Default.DocumentEvent)));
    }
}
