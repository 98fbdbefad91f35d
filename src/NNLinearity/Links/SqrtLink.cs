using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The square-root link: eta = sqrt(mu), mu = eta^2; needs eta &gt; 0 (as R's valideta).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct SqrtLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "sqrt";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => Math.Sqrt(mu);

    /// <inheritdoc />
    public double Inverse(double eta) => eta * eta;

    /// <inheritdoc />
    public double InverseDerivative(double eta) => 2.0 * eta;

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => 2.0;

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu >= 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => eta > 0 && double.IsFinite(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.InverseWithDerivative(this, eta, mu, dMuDEta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public override string ToString() => Name;
}
