using System.Net;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Tests.Live;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>Revoking a device closes its Hocuspocus sockets as it closes its y-websocket ones (DESIGN 3.1, 3.8).</summary>
public abstract partial class ApiTests
{
    /// <summary>A Hocuspocus Auth message for <paramref name="document"/>: name, type 2, token 0, the token.</summary>
    private static byte[] HocuspocusAuth(string document, string token) =>
        new Lib0Writer().VarString(document).VarUint(2).VarUint(0).VarString(token).ToArray();

    /// <summary>The server's Authenticated answer for <paramref name="document"/>: name, type 2, authenticated 2.</summary>
    private static byte[] HocuspocusAuthenticated(string document) => new Lib0Writer().VarString(document).VarUint(2).VarUint(2).ToArray();

    [Fact]
    public async Task RevokingADevice_ClosesItsHocuspocusSocketWith4401_AndLeavesTheOtherDevicesSocket()
    {
        var email = NewEmail();
        var phone = await SignupOnAsync(email, "dev_phone");
        var laptop = await LoginOnAsync(email, "dev_laptop");

        using var phoneSocket = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/hocuspocus", token: null);
        await phoneSocket.SendAsync(HocuspocusAuth("n1", phone.AccessToken));
        await phoneSocket.ExpectAsync(HocuspocusAuthenticated("n1"), Wait);
        using var laptopSocket = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/hocuspocus", token: null);
        await laptopSocket.SendAsync(HocuspocusAuth("n1", laptop.AccessToken));
        await laptopSocket.ExpectAsync(HocuspocusAuthenticated("n1"), Wait);

        var revoke = await Server.Client(laptop.AccessToken).DeleteAsync("/api/v1/auth/devices/dev_phone");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(4401, await phoneSocket.ClosedWithAsync(Wait));

        // The phone's token opens nothing any more; the laptop's socket still answers.
        using (var refused = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/hocuspocus", token: null))
        {
            await refused.SendAsync(HocuspocusAuth("n1", phone.AccessToken));
            Assert.Equal(4401, await refused.ClosedWithAsync(Wait));
        }

        await laptopSocket.SendAsync(HocuspocusAuth("n2", laptop.AccessToken));
        await laptopSocket.ExpectAsync(HocuspocusAuthenticated("n2"), Wait);
    }
}
