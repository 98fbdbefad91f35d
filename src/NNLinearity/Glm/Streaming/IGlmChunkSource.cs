using System.Collections.Generic;
using System.Threading;

namespace NNLinearity.Glm;

/// <summary>
/// Data for a streamed GLM fit: rows read in chunks, from the start, as many times as the fit asks (one pass per IRLS
/// iteration). Every reading must give the same rows in the same order; the chunk sizes may differ from one reading
/// to the next, since the fit's sums do not depend on them.
/// </summary>
/// <remarks>
/// Thread safety: a fit reads one source from one thread at a time. A source that several fits read at once must let
/// each <see cref="ReadChunks"/> enumeration keep its own position (the library's sources do).
/// </remarks>
public interface IGlmChunkSource
{
    /// <summary>Number of predictor columns in every chunk.</summary>
    int Columns { get; }

    /// <summary>The predictors' names (as many as <see cref="Columns"/>), or null for x1, x2, ...</summary>
    IReadOnlyList<string>? ColumnNames { get; }

    /// <summary>True when every chunk carries prior weights.</summary>
    bool HasWeights { get; }

    /// <summary>True when every chunk carries an offset.</summary>
    bool HasOffset { get; }

    /// <summary>Reads the rows from the first, chunk by chunk.</summary>
    /// <param name="cancellationToken">Stops the reading between chunks.</param>
    /// <returns>The chunks in row order; a chunk may be reused by the source once the next one is asked for.</returns>
    IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken);
}
