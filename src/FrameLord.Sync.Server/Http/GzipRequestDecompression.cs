using System.IO.Compression;
using Microsoft.AspNetCore.RequestDecompression;

namespace FrameLord.Sync.Server.Http;

/// <summary>The one request encoding the contract accepts: gzip. Any other Content-Encoding reaches <see cref="RequestBody"/> and gets 415.</summary>
internal sealed class GzipRequestDecompression : IDecompressionProvider
{
    public Stream GetDecompressionStream(Stream stream) => new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
}
