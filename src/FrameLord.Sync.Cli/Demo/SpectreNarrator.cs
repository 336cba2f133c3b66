using Spectre.Console;

namespace FrameLord.Sync.Cli.Demo;

/// <summary>Tells the demo on the terminal.</summary>
internal sealed class SpectreNarrator : INarrator
{
    public void Chapter(string title)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
    }

    public void Say(string text) => AnsiConsole.MarkupLineInterpolated($"  {text}");

    public void Check(string what, bool holds)
    {
        if (holds)
        {
            AnsiConsole.MarkupLineInterpolated($"  [green]✓[/] {what}");
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"  [red]✗ {what}[/]");
        }
    }

    public void Table(string title, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new Table().Title(Markup.Escape(title));
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
    }
}
