using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Endpoints;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Accounts and tokens: the signing key, password hashing with its gate and the failed-login counter,
/// bearer validation, and a fallback policy that makes every endpoint require a token unless it says otherwise.
/// </summary>
public static class AuthenticationHosting
{
    public static WebApplicationBuilder AddSyncAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => SigningKeyProvider.Resolve(
            sp.GetRequiredService<AuthOptions>(), sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<SelectedStoreBackend>().Backend));
        services.AddSingleton<TokenService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<PasswordHashGate>();
        services.AddSingleton<FailedLoginLimiter>();
        services.AddAccountLifecycle();

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
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build());
        return builder;
    }

    /// <summary>Routing, then who is calling and what they may reach: after the web app's files, which stay anonymous.</summary>
    public static WebApplication UseSyncAuthentication(this WebApplication app)
    {
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
