using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Serves the web app (DESIGN 3.9): the built bundle in <c>wwwroot</c>, with <c>/</c> answering
/// <c>index.html</c>. The app routes in the URL fragment (<c>/#/notes</c>), so there is no
/// client-side route fallback and every unknown path stays a JSON 404.
/// </summary>
public static class WebAppHosting
{
    /// <summary>
    /// Adds the static-file middleware. Call it before routing and authorization: a file it serves
    /// never reaches the token-requiring fallback policy, which is what makes the app's files (and
    /// <c>/</c>) anonymous, as DESIGN 3.1 requires. Paths under <c>/api</c> never touch the disk.
    /// Without a <c>wwwroot</c> folder (an API-only deployment) nothing is added. The setting
    /// <c>WebApp:Root</c> names another folder to serve instead (an app built apart from the server);
    /// it must hold an <c>index.html</c>, or the server refuses to start.
    /// </summary>
    public static WebApplication UseSyncWebApp(this WebApplication app)
    {
        var configured = app.Configuration[RootSetting];
        var root = string.IsNullOrWhiteSpace(configured) ? FindRoot(app.Environment.ContentRootPath) : ConfiguredRoot(configured);
        if (root is null)
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments(ApiHosting.ApiBase, StringComparison.OrdinalIgnoreCase)
                && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)),
            branch =>
            {
                branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
                branch.UseStaticFiles(new StaticFileOptions
                {
                    FileProvider = files,
                    ContentTypeProvider = types,
                    OnPrepareResponse = static file => SetHeaders(file.Context.Response),
                });
            });
        return app;
    }

    /// <summary>
    /// The bundle's file names carry no content hash, so every file is revalidated (ETag) on each
    /// load; the service worker keeps the copies that make the app work offline.
    /// </summary>
    private static void SetHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
        {
            // Everything is served by this server; the editor injects its own style elements.
            headers.ContentSecurityPolicy =
                "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
        }
    }

    /// <summary>The setting that names the folder to serve instead of the built-in <c>wwwroot</c>.</summary>
    private const string RootSetting = "WebApp:Root";

    private static string ConfiguredRoot(string configured)
    {
        var root = Path.GetFullPath(configured);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            throw new InvalidOperationException($"{RootSetting} is '{configured}', which holds no index.html; point it at a built web app folder or leave it unset.");
        }

        return root;
    }

    /// <summary><c>wwwroot</c> beside the content root (<c>dotnet run</c>), else beside the binaries (published, tests).</summary>
    private static string? FindRoot(string contentRoot)
    {
        foreach (var candidate in new[] { Path.Combine(contentRoot, "wwwroot"), Path.Combine(AppContext.BaseDirectory, "wwwroot") })
        {
            if (File.Exists(Path.Combine(candidate, "index.html")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
