using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary>
/// The account lifecycle of DESIGN 3.1: <c>POST /auth/refresh</c> (anonymous, limited per address like
/// login), <c>POST /auth/logout</c>, <c>GET /auth/devices</c>, <c>DELETE /auth/devices/{device_id}</c>,
/// <c>POST /auth/password</c>, <c>GET /account/export</c> and <c>DELETE /account</c>.
/// </summary>
internal static class AccountEndpoints
{
    /// <summary>Registers the services these routes and the session check use, and hooks the check into token validation.</summary>
    public static IServiceCollection AddAccountLifecycle(this IServiceCollection services)
    {
        services.AddSingleton<SessionGuard>();
        services.AddSingleton<SessionConnections>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<AccountExporter>();
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
        {
            jwt.Events ??= new JwtBearerEvents();
            var validated = jwt.Events.OnTokenValidated;
            jwt.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                var guard = context.HttpContext.RequestServices.GetRequiredService<SessionGuard>();
                if (context.Principal is null || !await guard.IsActiveAsync(context.Principal, context.HttpContext.RequestAborted))
                {
                    // Logged out, revoked, replaced by a newer login of the device, or the account is gone.
                    context.Fail("The session is no longer active.");
                }
            };
        });
        return services;
    }

    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder api)
    {
        api.MapGroup("/auth").AllowAnonymous().RequireRateLimiting(RateLimitingHosting.AuthPolicy)
            .MapPost("/refresh", async (HttpContext context, SessionService sessions, WireJson json, IOptions<LimitOptions> limits) =>
            {
                var request = await RequestBody.ReadAsync(context, json.Context.RefreshRequest, AuthBodyLimit(limits.Value), context.RequestAborted);
                var response = await sessions.RefreshAsync(request, context.RequestAborted);
                return Results.Json(response, SyncJsonContext.Default.AuthResponse);
            });

        var auth = api.MapGroup("/auth");
        auth.MapPost("/logout", async (HttpContext context, SessionService sessions) =>
        {
            await sessions.LogoutAsync(context.User, context.RequestAborted);
            return Results.NoContent();
        });

        auth.MapGet("/devices", async (HttpContext context, SessionService sessions) =>
            Results.Json(await sessions.ListDevicesAsync(context.User.UserId(), context.RequestAborted), SyncJsonContext.Default.DeviceList));

        auth.MapDelete("/devices/{deviceId}", async (HttpContext context, string deviceId, SessionService sessions) =>
        {
            await sessions.RevokeDeviceAsync(context.User.UserId(), deviceId, context.RequestAborted);
            return Results.NoContent();
        });

        auth.MapPost("/password", async (HttpContext context, AccountService accounts, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.ChangePasswordRequest, AuthBodyLimit(limits.Value), context.RequestAborted);
            await accounts.ChangePasswordAsync(context.User, request, context.RequestAborted);
            return Results.NoContent();
        });

        var account = api.MapGroup("/account");
        account.MapGet("/export", async (HttpContext context, AccountExporter exporter) =>
        {
            // Looked up before the first byte goes out: once the archive streams, no error status can follow.
            var user = await exporter.FindUserAsync(context.User.UserId(), context.RequestAborted)
                ?? throw new ApiException(401, ErrorCodes.Unauthorized, "A valid access token is required.");
            context.Response.ContentType = "application/gzip";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"framelord-export.tar.gz\"";
            context.Response.Headers.CacheControl = "no-store";
            await exporter.WriteAsync(user, context.Response.Body, context.RequestAborted);
        });

        account.MapDelete("", async (HttpContext context, AccountService accounts, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.DeleteAccountRequest, AuthBodyLimit(limits.Value), context.RequestAborted);
            await accounts.DeleteAsync(context.User, request, context.RequestAborted);
            return Results.NoContent();
        });

        return api;
    }

    /// <summary>These bodies hold a token or passwords: the 16 KiB of signup and login.</summary>
    private static long AuthBodyLimit(LimitOptions limits) => Math.Min(limits.MaxRequestBodyBytes, AuthEndpoints.MaxAuthBodyBytes);
}
