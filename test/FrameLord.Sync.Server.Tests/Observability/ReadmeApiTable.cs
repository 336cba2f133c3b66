using System.Text.RegularExpressions;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>The routes of the README's "API in brief" table, read from the file (not copied), so a row added there is checked.</summary>
internal static partial class ReadmeApiTable
{
    public sealed record Route(string Method, string Path, bool WebSocket, string Row);

    public static IReadOnlyList<Route> Read()
    {
        var lines = File.ReadAllLines(FindReadme());
        var start = Array.FindIndex(lines, l => l.StartsWith("## API in brief", StringComparison.Ordinal));
        Assert.True(start >= 0, "README.md has no '## API in brief' section");
        var routes = new List<Route>();
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            var match = RowPattern().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var path = match.Groups["path"].Value;
            var query = path.IndexOf('?', StringComparison.Ordinal);
            path = query >= 0 ? path[..query] : path;
            var atRoot = line.Contains("(at the root", StringComparison.Ordinal);
            routes.Add(new Route(match.Groups["method"].Value, atRoot ? path : "/api/v1" + path,
                line.Contains("(WebSocket)", StringComparison.Ordinal), line));
        }

        Assert.True(routes.Count >= 10, $"only {routes.Count} routes read from the README's API table");
        return routes;
    }

    /// <summary>Route parameters compared by position, not name (<c>{id}</c> in the README, <c>{conflictId}</c> in code).</summary>
    public static string Normalize(string path) => ParameterPattern().Replace(path, "{}").TrimEnd('/');

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var readme = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
            {
                return readme;
            }
        }

        throw new FileNotFoundException("The repository's README.md was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\|\s*`(?<method>GET|POST|PUT|PATCH|DELETE)\s+(?<path>/[^`\s]*)")]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex ParameterPattern();
}
