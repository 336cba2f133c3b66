namespace FrameLord.Sync.Client.Tests;

/// <summary>Rules of the SDK's layout that a compiler does not check.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test output.");
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void OnlyLocal_SeesAConnectionOrSql()
    {
        var local = Path.Combine(Root, "src", "FrameLord.Sync.Client", "Local") + Path.DirectorySeparatorChar;
        var offenders = SourceFiles(Path.Combine("src", "FrameLord.Sync.Client"))
            .Where(f => !f.StartsWith(local, StringComparison.Ordinal))
            .Where(f =>
            {
                var text = File.ReadAllText(f);
                return text.Contains("Microsoft.Data.Sqlite", StringComparison.Ordinal) || text.Contains("CreateCommand", StringComparison.Ordinal)
                    || text.Contains("_db.Read(", StringComparison.Ordinal) || text.Contains("Database.Read(", StringComparison.Ordinal)
                    || text.Contains("SELECT ", StringComparison.Ordinal) || text.Contains("INSERT INTO", StringComparison.Ordinal);
            })
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void NoFileOfTheSdkOrItsTests_IsOver400Lines()
    {
        var offenders = SourceFiles(Path.Combine("src", "FrameLord.Sync.Client"))
            .Concat(SourceFiles(Path.Combine("test", "FrameLord.Sync.Client.Tests")))
            .Select(f => (File: Path.GetRelativePath(Root, f), Lines: File.ReadLines(f).Count()))
            .Where(x => x.Lines > 400)
            .ToList();
        Assert.Empty(offenders);
    }
}
