using System.Security.Claims;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Tests.Http;

/// <summary>
/// <see cref="WireBody{T}"/> and <see cref="Caller"/> as minimal APIs bind them: handlers built by the
/// framework's own request delegate factory, so binding order, null handling and exceptions are the real ones.
/// </summary>
public sealed class WireBindingTests
{
    private const long GlobalLimit = 4096;

    private static IServiceProvider Services(int maxDepth = SyncJsonContext.MaxJsonDepth) => new ServiceCollection()
        .AddLogging()
        .AddSingleton(new WireJson(maxDepth))
        .AddSingleton(new LimitOptions { MaxRequestBodyBytes = GlobalLimit })
        .ConfigureHttpJsonOptions(options => WireJsonOptions.Apply(options.SerializerOptions))
        .BuildServiceProvider();

    private static HttpContext Request(IServiceProvider services, string? body, string? contentType = "application/json",
        long? routeLimit = null, bool announceLength = true, ClaimsPrincipal? user = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = announceLength ? bytes.Length : null;
        if (user is not null)
        {
            context.User = user;
        }

        var metadata = routeLimit is { } limit ? new EndpointMetadataCollection(new BodyLimitMetadata(limit)) : EndpointMetadataCollection.Empty;
        context.SetEndpoint(new Endpoint(null, metadata, "test"));
        return context;
    }

    private static Task RunAsync(Delegate handler, HttpContext context) =>
        RequestDelegateFactory.Create(handler, new RequestDelegateFactoryOptions { ServiceProvider = context.RequestServices }).RequestDelegate(context);

    private static async Task<ApiException> RefusedAsync(HttpContext context, int status, string code)
    {
        var ran = false;
        var error = await Assert.ThrowsAsync<ApiException>(() => RunAsync((WireBody<LoginRequest> body) =>
        {
            ran = true;
            return TypedResults.NoContent();
        }, context));
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.False(ran, "the handler ran with a refused body");
        return error;
    }

    [Fact]
    public async Task WireBody_AValidBody_ReachesTheHandlerParsed()
    {
        LoginRequest? seen = null;
        var context = Request(Services(), """{"email":"a@example.com","password":"long enough","device_id":"dev_1"}""");
        await RunAsync((WireBody<LoginRequest> body) =>
        {
            seen = body.Value;
            return TypedResults.NoContent();
        }, context);

        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
        Assert.Equal(new LoginRequest { Email = "a@example.com", Password = "long enough", DeviceId = "dev_1" }, seen);
    }

    [Theory]
    [InlineData("", "The body is empty; a JSON object is required.")]
    [InlineData("null", "The body must be a JSON object.")]
    [InlineData("""{"password":"long enough"}""", null)]
    [InlineData("""{"email":1,"password":"long enough"}""", null)]
    [InlineData("""{"email":"a@b.c","email":"d@e.f","password":"long enough"}""", null)]
    [InlineData("""{"email":""", null)]
    public async Task WireBody_ABadBody_Is400ValidationFailed_BeforeTheHandler(string body, string? message)
    {
        var error = await RefusedAsync(Request(Services(), body), 400, ErrorCodes.ValidationFailed);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public async Task WireBody_DeeperThanMaxJsonDepth_Is400()
    {
        var nested = string.Concat(Enumerable.Repeat("""{"a":""", 10)) + "1" + new string('}', 10);
        var error = await RefusedAsync(Request(Services(maxDepth: 8), $$"""{"email":"a@b.c","password":"long enough","x":{{nested}}}"""), 400, ErrorCodes.ValidationFailed);
        Assert.Equal("The JSON is nested too deeply.", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WireBody_OverTheRoutesLimit_Is413_AnnouncedOrNot(bool announceLength)
    {
        var body = $$"""{"email":"a@b.c","password":"{{new string('p', 200)}}"}""";
        var error = await RefusedAsync(Request(Services(), body, routeLimit: 100, announceLength: announceLength), 413, ErrorCodes.PayloadTooLarge);
        Assert.Equal("The request body is over the 100-byte limit.", error.Message);
    }

    [Fact]
    public async Task WireBody_ARouteLimitAboveTheConfiguredOne_DoesNotRaiseIt()
    {
        var body = $$"""{"email":"a@b.c","password":"{{new string('p', 5000)}}"}""";
        var error = await RefusedAsync(Request(Services(), body, routeLimit: 1_000_000, announceLength: false), 413, ErrorCodes.PayloadTooLarge);
        Assert.Equal($"The request body is over the {GlobalLimit}-byte limit.", error.Message);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task WireBody_AnotherMediaType_Is415(string contentType)
    {
        var error = await RefusedAsync(Request(Services(), """{"email":"a@b.c","password":"long enough"}""", contentType), 415, ErrorCodes.UnsupportedMediaType);
        Assert.Equal("Bodies are JSON (application/json).", error.Message);
    }

    [Fact]
    public async Task WireBody_AnEncodingLeftUndone_Is415()
    {
        var context = Request(Services(), """{"email":"a@b.c","password":"long enough"}""");
        context.Request.Headers.ContentEncoding = "br";
        var error = await RefusedAsync(context, 415, ErrorCodes.UnsupportedMediaType);
        Assert.Equal("Only gzip-encoded bodies are accepted.", error.Message);
    }

    [Fact]
    public async Task Caller_IsTheTokensSubAndDevice()
    {
        Caller? seen = null;
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(JwtRegisteredClaimNames.Sub, "usr_42"), new Claim(TokenService.DeviceClaim, "dev_7"), new Claim("user_id", "usr_other")], "Bearer"));
        var context = Request(Services(), """{"email":"a@b.c","password":"long enough"}""", user: user);
        await RunAsync((WireBody<LoginRequest> body, Caller caller) =>
        {
            seen = caller;
            return TypedResults.NoContent();
        }, context);

        Assert.NotNull(seen);
        Assert.Equal("usr_42", seen.UserId);
        Assert.Equal("dev_7", seen.DeviceId);
        Assert.Same(user, seen.Principal);
    }

    [Fact]
    public async Task Caller_WithoutASub_Is401_AndTheHandlerDoesNotRun()
    {
        var ran = false;
        var context = Request(Services(), null, user: new ClaimsPrincipal(new ClaimsIdentity([new Claim(TokenService.DeviceClaim, "dev_7")], "Bearer")));
        var error = await Assert.ThrowsAsync<ApiException>(() => RunAsync((Caller caller) =>
        {
            ran = true;
            return TypedResults.NoContent();
        }, context));

        Assert.Equal(401, error.Status);
        Assert.Equal(ErrorCodes.Unauthorized, error.Code);
        Assert.False(ran);
    }
}
