using System.Net;
using System.Security.Claims;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Tests.Api;

public abstract partial class ApiTests
{
    private static string Token(string userId, string key = TestServer.SigningKey, string issuer = "framelord-sync",
        string audience = "framelord", DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires ?? now.AddHours(1)).AddHours(-2),
            NotBefore = (expires ?? now.AddHours(1)).AddHours(-2),
            Expires = expires ?? now.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(json);

    public static TheoryData<string> BadTokens => ["missing", "garbage", "expired", "forged", "alg-none", "wrong-issuer", "wrong-audience", "no-sub"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadTokens_Are401_OnEveryProtectedEndpoint_AndStoreNothing(string kind)
    {
        var auth = await Server.SignupAsync();
        var token = kind switch
        {
            "missing" => null,
            "garbage" => "not.a.token",
            "expired" => Token(auth.UserId, expires: DateTime.UtcNow.AddMinutes(-10)),
            "forged" => Token(auth.UserId, key: "another-key-another-key-another-key-0123456789"),
            "alg-none" => Base64Url("""{"alg":"none","typ":"JWT"}""") + "." +
                Base64Url($$"""{"sub":"{{auth.UserId}}","iss":"framelord-sync","aud":"framelord","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""") + ".",
            "wrong-issuer" => Token(auth.UserId, issuer: "someone-else"),
            "wrong-audience" => Token(auth.UserId, audience: "someone-else"),
            "no-sub" => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "framelord-sync",
                Audience = "framelord",
                Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestServer.SigningKey)), SecurityAlgorithms.HmacSha256),
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var client = Server.Client(token);
        var attempts = new[]
        {
            await client.PostAsync("/api/v1/sync/push", JsonBody(PushJson("dev_a", ChangeJson("cnt_1")))),
            await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d","schema_version":"1"}""")),
            await client.GetAsync("/api/v1/sync/conflicts"),
            await client.PostAsync("/api/v1/sync/conflicts/cfl_x/resolve", JsonBody("""{"choice":"keep_local","device_id":"d"}""")),
        };
        foreach (var response in attempts)
        {
            Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(response, HttpStatusCode.Unauthorized)).Code);
        }

        Assert.Empty((await PullOk(Server.Client(auth.AccessToken))).Changes);
    }

    [Fact]
    public async Task ATokenWorks_AndTheUserComesOnlyFromItsSub()
    {
        var alice = await Server.SignupAsync();
        var bob = await Server.SignupAsync();
        var client = Server.Client(Token(alice.UserId));
        // A user id in the body or query means nothing.
        await PushOk(client, $$"""{"user_id":"{{bob.UserId}}","device_id":"d","schema_version":"1","changes":[{{ChangeJson("cnt_1")}}]}""");
        Assert.Single((await PullOk(Server.Client(alice.AccessToken))).Changes);
        Assert.Empty((await PullOk(Server.Client(bob.AccessToken))).Changes);
    }
}
