using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The identity link: eta = mu. The canonical link of the Gaussian family.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct IdentityLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public bool IsAffine => true;

    /// <inheritdoc />
    public double MeanLowerBound => double.NegativeInfinity;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => mu;

    /// <inheritdoc />
    public double Inverse(double eta) => eta;

    /// <inheritdoc />
    public double InverseDerivative(double eta) => 1.0;

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => 0.0;

    /// <inheritdoc />
    public bool IsValidMean(double mu) => double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => double.IsFinite(eta);

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
