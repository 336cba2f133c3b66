namespace FrameLord.Sync.Cli.Demo;

/// <summary>Where the demo tells its story: the console, or a test that reads along.</summary>
public interface INarrator
{
    void Chapter(string title);

    void Say(string text);

    /// <summary>A check the demo makes; the demo fails when one does not hold.</summary>
    void Check(string what, bool holds);

    void Table(string title, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows);
}
