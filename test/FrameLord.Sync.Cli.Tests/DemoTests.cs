using FrameLord.Sync.Cli.Demo;

namespace FrameLord.Sync.Cli.Tests;

public class DemoTests
{
    private sealed class RecordingNarrator : INarrator
    {
        public List<string> Chapters { get; } = [];

        public List<(string What, bool Holds)> Checks { get; } = [];

        public void Chapter(string title) => Chapters.Add(title);

        public void Say(string text)
        {
        }

        public void Check(string what, bool holds) => Checks.Add((what, holds));

        public void Table(string title, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
        {
        }
    }

    [Fact]
    public async Task TheDemo_WalksEveryScenario_AndEndsConverged()
    {
        var narrator = new RecordingNarrator();
        var converged = await DemoScript.RunAsync(narrator);

        var failed = narrator.Checks.Where(c => !c.Holds).Select(c => c.What).ToList();
        Assert.True(converged, "failed checks: " + string.Join("; ", failed));
        Assert.Empty(failed);
        Assert.True(narrator.Checks.Count >= 12, $"only {narrator.Checks.Count} checks ran");
        Assert.Contains(narrator.Chapters, c => c.Contains("Sarah", StringComparison.Ordinal));
        Assert.Contains(narrator.Chapters, c => c.Contains("Contact Zero", StringComparison.Ordinal));
        Assert.Equal("Every device converged", narrator.Chapters[^1]);
    }
}
