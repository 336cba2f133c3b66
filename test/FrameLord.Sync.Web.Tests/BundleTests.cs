namespace FrameLord.Sync.Web.Tests;

/// <summary>The committed bundle in the server's wwwroot is exactly what a fresh build of web/app produces.</summary>
public sealed class BundleTests
{
    [Fact]
    public async Task CommittedBundle_MatchesAFreshBuild()
    {
        var app = Path.Combine(WebTooling.WebFolder, "app");

        var (exitCode, output) = await WebTooling.RunAsync("node", "build.mjs --check", app, new Dictionary<string, string>(), TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, output);
        Assert.Contains("matches a fresh build", output, StringComparison.Ordinal);
    }
}
