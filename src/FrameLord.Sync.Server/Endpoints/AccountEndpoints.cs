using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live;
using Microsoft.AspNetCore.Authentication.JwtBearer;

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
            .MapPost("/refresh", async (WireBody<RefreshRequest> body, SessionService sessions, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sessions.RefreshAsync(body.Value, cancellationToken)))
            .WithBodyLimit(AuthEndpoints.MaxAuthBodyBytes);

        var auth = api.MapGroup("/auth");
        auth.MapPost("/logout", async (Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        {
            await sessions.LogoutAsync(caller.Principal, cancellationToken);
            return TypedResults.NoContent();
        });

        auth.MapGet("/devices", async (Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
            TypedResults.Ok(await sessions.ListDevicesAsync(caller.UserId, cancellationToken)));

        auth.MapDelete("/devices/{deviceId}", async (string deviceId, Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        {
            await sessions.RevokeDeviceAsync(caller.UserId, deviceId, cancellationToken);
            return TypedResults.NoContent();
        });

        auth.MapPost("/password", async (WireBody<ChangePasswordRequest> body, Caller caller, AccountService accounts, CancellationToken cancellationToken) =>
        {
            await accounts.ChangePasswordAsync(caller.Principal, body.Value, cancellationToken);
            return TypedResults.NoContent();
        }).WithBodyLimit(AuthEndpoints.MaxAuthBodyBytes);

        var account = api.MapGroup("/account");
        account.MapGet("/export", async (HttpContext context, Caller caller, AccountExporter exporter) =>
        {
            // Looked up before the first byte goes out: once the archive streams, no error status can follow.
            var user = await exporter.FindUserAsync(caller.UserId, context.RequestAborted)
                ?? throw new ApiException(401, ErrorCodes.Unauthorized, "A valid access token is required.");
            context.Response.ContentType = "application/gzip";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"framelord-export.tar.gz\"";
            context.Response.Headers.CacheControl = "no-store";
            await exporter.WriteAsync(user, context.Response.Body, context.RequestAborted);
        });

        account.MapDelete("", async (WireBody<DeleteAccountRequest> body, Caller caller, AccountService accounts, CancellationToken cancellationToken) =>
        {
            await accounts.DeleteAsync(caller.Principal, body.Value, cancellationToken);
            return TypedResults.NoContent();
        }).WithBodyLimit(AuthEndpoints.MaxAuthBodyBytes);

        return api;
    }
}
