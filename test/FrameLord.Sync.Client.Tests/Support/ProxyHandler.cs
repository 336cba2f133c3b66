using System.Net;
using System.Text;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// Something between the SDK and the server (a reverse proxy, a captive portal): while <see cref="Answer"/>
/// returns a status for a request path, it answers with its own HTML page instead of passing the request on.
/// </summary>
public sealed class ProxyHandler(HttpMessageHandler server) : DelegatingHandler(server)
{
    /// <summary>The status to answer a request path with, or null to pass the request to the server.</summary>
    public Func<string, HttpStatusCode?> Answer { get; set; } = _ => null;

    public List<string> Intercepted { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (Answer(path) is not { } status)
        {
            return base.SendAsync(request, cancellationToken);
        }

        lock (Intercepted)
        {
            Intercepted.Add(path);
        }

        var page = $"<html><head><title>{(int)status} {status}</title></head><body><center><h1>{(int)status}</h1></center><hr><center>proxy</center></body></html>";
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(page, Encoding.UTF8, "text/html"), RequestMessage = request });
    }
}
