using System.Net;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>The SDK renews its access token with the device session's refresh token, and asks the app only when that fails.</summary>
public abstract partial class SyncScenarioTests
{
    private int _appRefreshes;

    private async Task<SyncClient> OpenCountingDeviceAsync(string name, FaultyTransport transport) =>
        await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Folder.File(name + ".db"),
            Transport = transport,
            DeviceName = "Device " + name,
            RefreshAccessToken = async ct =>
            {
                Interlocked.Increment(ref _appRefreshes);
                return (await Http().LoginAsync(new LoginRequest { Email = Email, Password = Password }, ct)).AccessToken;
            },
        });

    private string ExpiredToken(string userId)
    {
        var services = Server.Services;
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        return new TokenService(services.GetRequiredService<AuthOptions>(), services.GetRequiredService<SymmetricSecurityKey>(), past).Issue(userId).Token;
    }

    private static string? StoredRefreshToken(SyncClient client) => client.Database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT value FROM sync_meta WHERE key = $k;";
        command.Parameters.AddWithValue("$k", MetaKeys.RefreshToken);
        return command.ExecuteScalar() as string;
    });

    [Fact]
    public async Task AnExpiredAccessToken_IsRenewedByTheRefreshToken_WithoutAskingTheApp_AndAfterARestartToo()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenCountingDeviceAsync("a", transport);
        var auth = await a.SignupAsync(Email, Password, "Me");
        Assert.Equal(a.DeviceId, auth.DeviceId);
        Assert.Equal(auth.RefreshToken, StoredRefreshToken(a));
        var devices = await Server.Client(auth.AccessToken).GetStringAsync("/api/v1/auth/devices");
        Assert.Contains("Device a", devices, StringComparison.Ordinal);

        await a.Contacts.CreateAsync(new Contact { Name = "after expiry" });
        a.AccessToken = ExpiredToken(auth.UserId);
        var result = await a.SyncNowAsync();
        Assert.Equal(1, result.Pushed);
        Assert.Equal(1, transport.Refreshes);
        Assert.Equal(0, _appRefreshes);
        var rotated = StoredRefreshToken(a);
        Assert.NotNull(rotated);
        Assert.NotEqual(auth.RefreshToken, rotated);

        // A restarted app has no access token: the stored refresh token gets one.
        await a.DisposeAsync();
        var again = await OpenCountingDeviceAsync("a", transport);
        try
        {
            Assert.Null(again.AccessToken);
            await again.Contacts.CreateAsync(new Contact { Name = "after restart" });
            Assert.Equal(1, (await again.SyncNowAsync()).Pushed);
            Assert.Equal(2, transport.Refreshes);
            Assert.Equal(0, _appRefreshes);
            Assert.NotEqual(rotated, StoredRefreshToken(again));
        }
        finally
        {
            await again.DisposeAsync();
        }
    }

    [Fact]
    public async Task ARevokedDevice_FallsBackToTheAppsCallback_AndForgetsItsRefreshToken()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenCountingDeviceAsync("a", transport);
        try
        {
            var auth = await a.SignupAsync(Email, Password, "Me");
            var logout = await Server.Client(auth.AccessToken).PostAsync("/api/v1/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

            await a.Contacts.CreateAsync(new Contact { Name = "after logout" });
            Assert.Equal(1, (await a.SyncNowAsync()).Pushed);
            Assert.Equal(1, transport.Refreshes);
            Assert.Equal(1, _appRefreshes);
            Assert.Null(StoredRefreshToken(a));
        }
        finally
        {
            await a.DisposeAsync();
        }
    }
}
