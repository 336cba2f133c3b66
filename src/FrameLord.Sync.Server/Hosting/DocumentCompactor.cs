using System.Collections.Concurrent;
using System.Threading.Channels;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>Runs document compactions requested by syncs in background mode, one document at a time, each once.</summary>
internal sealed partial class DocumentCompactor : BackgroundService
{
    private readonly DocumentService _documents;
    private readonly ILogger<DocumentCompactor> _logger;
    private readonly Channel<(string UserId, string NoteId)> _queue = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string, string), byte> _queued = new();

    public DocumentCompactor(DocumentService documents, ILogger<DocumentCompactor> logger)
    {
        _documents = documents;
        _logger = logger;
        documents.CompactionWanted += (user, note) =>
        {
            if (_queued.TryAdd((user, note), 0))
            {
                _queue.Writer.TryWrite((user, note));
            }
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (user, note) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            _queued.TryRemove((user, note), out _);
            try
            {
                await _documents.CompactAsync(user, note, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(_logger, e, note);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compaction of document {NoteId} failed; the next sync past the threshold retries it")]
    private static partial void LogFailed(ILogger logger, Exception exception, string noteId);
}
