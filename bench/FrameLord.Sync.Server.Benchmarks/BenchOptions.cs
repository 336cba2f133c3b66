using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Benchmarks;

internal sealed record BenchOptions(IReadOnlyList<Backend> Backends, int BatchesPerUser, IReadOnlyList<int> Users, string? Out)
{
    public const int BatchSize = 100;

    public static BenchOptions Parse(string[] args)
    {
        var backends = new List<Backend> { Backend.Sqlite, Backend.Postgres };
        var batches = 40;
        var users = new List<int> { 1, 10, 50 };
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--backend":
                    backends = args[++i] switch
                    {
                        "sqlite" => [Backend.Sqlite],
                        "postgres" => [Backend.Postgres],
                        _ => [Backend.Sqlite, Backend.Postgres],
                    };
                    break;
                case "--batches":
                    batches = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--users":
                    users = args[++i].Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                    break;
                case "--out":
                    output = args[++i];
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        return new BenchOptions(backends, batches, users, output);
    }
}
