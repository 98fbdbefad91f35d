using System;
using System.Globalization;

namespace NNLinearity.Glm;

/// <summary>
/// A block of consecutive rows of a GLM's data: the predictors row by row (no intercept column), the responses and,
/// when the source has them, prior weights and an offset. A chunk only lends its arrays to the fit for the time it
/// is read; a source may reuse them for its next chunk.
/// </summary>
/// <remarks>Thread safety: immutable as far as the chunk goes; the arrays it wraps belong to the source.</remarks>
public sealed class GlmChunk
{
    /// <summary>Wraps the rows of one chunk.</summary>
    /// <param name="x">rows x columns predictors, row by row.</param>
    /// <param name="columns">Number of predictor columns.</param>
    /// <param name="y">One response per row.</param>
    /// <param name="weights">One prior weight per row, or empty when the source has none (every row weighs 1).</param>
    /// <param name="offset">One offset per row, or empty when the source has none.</param>
    /// <exception cref="ArgumentException">The lengths disagree with the number of rows that <paramref name="y"/> gives.</exception>
    public GlmChunk(ReadOnlyMemory<double> x, int columns, ReadOnlyMemory<double> y, ReadOnlyMemory<double> weights = default, ReadOnlyMemory<double> offset = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        int rows = y.Length;
        if ((long)rows * columns != x.Length)
        {
            throw new ArgumentException($"x holds {x.Length.ToString(CultureInfo.InvariantCulture)} values but the chunk has {rows} responses x {columns} columns = {(long)rows * columns}.", nameof(x));
        }

        if (!weights.IsEmpty && weights.Length != rows) throw new ArgumentException($"weights holds {weights.Length} values but the chunk has {rows} responses.", nameof(weights));
        if (!offset.IsEmpty && offset.Length != rows) throw new ArgumentException($"offset holds {offset.Length} values but the chunk has {rows} responses.", nameof(offset));
        X = x;
        Columns = columns;
        Response = y;
        Weights = weights;
        Offset = offset;
    }

    /// <summary>Number of rows.</summary>
    public int Rows => Response.Length;

    /// <summary>Number of predictor columns.</summary>
    public int Columns { get; }

    /// <summary>The predictors, <see cref="Rows"/> x <see cref="Columns"/>, row by row.</summary>
    public ReadOnlyMemory<double> X { get; }

    /// <summary>The responses.</summary>
    public ReadOnlyMemory<double> Response { get; }

    /// <summary>The prior weights; empty when the chunk has none.</summary>
    public ReadOnlyMemory<double> Weights { get; }

    /// <summary>The offset; empty when the chunk has none.</summary>
    public ReadOnlyMemory<double> Offset { get; }
}
