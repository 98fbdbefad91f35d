using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace NNLinearity.Glm;

/// <summary>Chunk sources over data the caller already holds.</summary>
/// <remarks>Thread safety: stateless; the sources it makes are immutable and may be read by any number of fits at once.</remarks>
public static class GlmChunkSource
{
    /// <summary>
    /// A source that lends row-major arrays out in chunks of <paramref name="chunkRows"/> rows (the last one
    /// shorter), without copying: a way to fit in memory through the streaming path, and to check it.
    /// </summary>
    /// <param name="x">rows x columns predictors, row by row.</param>
    /// <param name="columns">Number of predictor columns.</param>
    /// <param name="y">The responses; their count gives the rows.</param>
    /// <param name="chunkRows">Rows per chunk, at least 1.</param>
    /// <param name="weights">Prior weights, or null.</param>
    /// <param name="offset">An offset, or null.</param>
    /// <param name="columnNames">Predictor names, or null.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">The arrays' lengths disagree, or <paramref name="chunkRows"/> is below 1.</exception>
    public static IGlmChunkSource FromArrays(double[] x, int columns, double[] y, int chunkRows, double[]? weights = null, double[]? offset = null, IReadOnlyList<string>? columnNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, $"chunkRows is {chunkRows}; a chunk holds at least one row.");
        if ((long)y.Length * columns != x.Length)
        {
            throw new ArgumentException($"x holds {x.Length.ToString(CultureInfo.InvariantCulture)} values but y has {y.Length} rows x {columns} columns = {(long)y.Length * columns}.", nameof(x));
        }

        if (weights is not null && weights.Length != y.Length) throw new ArgumentException($"weights holds {weights.Length} values but y has {y.Length}.", nameof(weights));
        if (offset is not null && offset.Length != y.Length) throw new ArgumentException($"offset holds {offset.Length} values but y has {y.Length}.", nameof(offset));
        if (columnNames is not null && columnNames.Count != columns) throw new ArgumentException($"columnNames has {columnNames.Count} names but there are {columns} columns.", nameof(columnNames));
        return new ArraySource(x, columns, y, weights, offset, chunkRows, columnNames);
    }

    private sealed class ArraySource(double[] x, int columns, double[] y, double[]? weights, double[]? offset, int chunkRows, IReadOnlyList<string>? names) : IGlmChunkSource
    {
        public int Columns => columns;

        public IReadOnlyList<string>? ColumnNames => names;

        public bool HasWeights => weights is not null;

        public bool HasOffset => offset is not null;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            for (int r0 = 0; r0 < y.Length; r0 += chunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(chunkRows, y.Length - r0);
                yield return new GlmChunk(
                    x.AsMemory(r0 * columns, rows * columns),
                    columns,
                    y.AsMemory(r0, rows),
                    weights is null ? default : weights.AsMemory(r0, rows),
                    offset is null ? default : offset.AsMemory(r0, rows));
            }
        }
    }
}
