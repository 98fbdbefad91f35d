using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The power link: eta = mu^lambda, mu = eta^(1/lambda); lambda = 0 is the log link (its Box-Cox limit). Negative powers are allowed (the Tweedie family's canonical link is mu^(1-p)).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct PowerLink : ILinkFunction
{
    /// <summary>Creates the power link eta = mu^<paramref name="lambda"/>.</summary>
    /// <param name="lambda">The power; any finite value, 0 meaning the log link.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambda"/> is NaN or infinite.</exception>
    public PowerLink(double lambda)
    {
        if (!double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The power of a power link must be finite.");
        }

        Lambda = lambda;
    }

    /// <summary>The power lambda.</summary>
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => Lambda == 0 ? "log" : Lambda == 1 ? "identity" : "mu^" + Math.Round(Lambda, 3).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public bool IsAffine => Lambda == 1;

    /// <inheritdoc />
    public double MeanLowerBound => Lambda == 1 ? double.NegativeInfinity : 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => Lambda == 0 ? Math.Log(mu) : Math.Pow(mu, Lambda);

    /// <inheritdoc />
    public double Inverse(double eta) => Lambda == 0 ? Math.Exp(eta) : Math.Pow(eta, 1.0 / Lambda);

    /// <inheritdoc />
    public double InverseDerivative(double eta)
    {
        if (Lambda == 0) return Math.Exp(eta);
        double r = 1.0 / Lambda;
        return r * Math.Pow(eta, r - 1.0);
    }

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta)
    {
        if (Lambda == 0) return Math.Exp(eta);
        double r = 1.0 / Lambda;
        return r * (r - 1.0) * Math.Pow(eta, r - 2.0);
    }

    /// <inheritdoc />
    public bool IsValidMean(double mu) => Lambda == 1 ? double.IsFinite(mu) : mu > 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => Lambda == 0 ? !double.IsNaN(eta) && eta < double.PositiveInfinity : Lambda == 1 ? double.IsFinite(eta) : eta > 0 && double.IsFinite(eta);

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
