using System;
using System.Numerics;

namespace NNLinearity.Layers;

/// <summary>A model's linear predictors and means for a batch of rows, both [rows, outputs] row-major.</summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Prediction<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _eta;
    private readonly T[] _mu;

    internal Prediction(int rows, int outputs, T[] eta, T[] mu)
    {
        Rows = rows;
        Outputs = outputs;
        _eta = eta;
        _mu = mu;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of outputs (classes for a multinomial model).</summary>
    public int Outputs { get; }

    /// <summary>The output layer's linear predictors eta.</summary>
    public ReadOnlySpan<T> Eta => _eta;

    /// <summary>The means mu = g^-1(eta) (class probabilities for a multinomial model).</summary>
    public ReadOnlySpan<T> Mu => _mu;

    /// <summary>eta of one row and output.</summary>
    /// <param name="row">Row index.</param>
    /// <param name="output">Output index.</param>
    /// <returns>The linear predictor.</returns>
    public T GetEta(int row, int output) => _eta[Index(row, output)];

    /// <summary>mu of one row and output.</summary>
    /// <param name="row">Row index.</param>
    /// <param name="output">Output index.</param>
    /// <returns>The mean.</returns>
    public T GetMu(int row, int output) => _mu[Index(row, output)];

    private int Index(int row, int output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(output, Outputs);
        return row * Outputs + output;
    }
}
